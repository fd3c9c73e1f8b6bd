using System.Net;
using System.Text.Json;
using Alerts.Core.Delivery;
using Alerts.Host.Polling;
using Alerts.Host.Tests.Fakes;
using Microsoft.AspNetCore.Http;

namespace Alerts.Host.Tests.Polling;

/// <summary>Tickers that fight back (SPEC §2): one of them must never stop the others, and health must say so.</summary>
public sealed class HostileTickerTests
{
    [Fact]
    public async Task ABodyDripFedOneByteASecondTimesOutWithinThePollTimeout()
    {
        await using var ticker = await FakeTicker.StartAsync();
        await using var app = PollerTests.NewApp(ticker);
        app.Settings["Alerts:Polling:Timeout"] = "00:00:02";
        ticker.Next = DripFed(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2));

        var started = TimeProvider.System.GetTimestamp();
        Assert.Equal(PollOutcome.Failed, await PollerTests.PollAsync(app));

        // 2 s of headers-plus-body, not the 2 minutes the server would drip for.
        Assert.InRange(TimeProvider.System.GetElapsedTime(started), TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(10));
        Assert.Contains("timed out", app.Get<SourcePoller>().Status("test").LastError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ftp://127.0.0.1/ticker")]
    [InlineData("gopher://127.0.0.1:70/1")]
    [InlineData("file:///etc/passwd")]
    [InlineData("data:text/plain,TICKER")]
    public async Task ARedirectToAnotherSchemeIsACleanPollFailure(string location)
    {
        await using var ticker = await FakeTicker.StartAsync();
        await using var app = PollerTests.NewApp(ticker);
        ticker.Next = Redirect(location);

        Assert.Equal(PollOutcome.Failed, await PollerTests.PollAsync(app));

        var error = app.Get<SourcePoller>().Status("test").LastError;
        Assert.Contains("refused", error, StringComparison.Ordinal);
        Assert.Contains(new Uri(location).Scheme + ":", error, StringComparison.Ordinal);
        Assert.DoesNotContain(app.Logs.Lines, l => l.Contains("   at ", StringComparison.Ordinal));
        Assert.Single(ticker.Requests);
    }

    [Fact]
    public async Task FiveRedirectsAreFollowedAndASixthIsAFailure()
    {
        await using var ticker = await FakeTicker.StartAsync();
        await using var app = PollerTests.NewApp(ticker);
        ticker.Page = LineTickerParser.Page(("a", "Ukraine talks"));
        ticker.Next = RedirectChain(5);

        Assert.Equal(PollOutcome.Unchanged, await PollerTests.PollAsync(app));
        Assert.Equal(6, ticker.Requests.Count);

        ticker.Requests.Clear();
        ticker.Next = RedirectChain(6);
        Assert.Equal(PollOutcome.Failed, await PollerTests.PollAsync(app));
        Assert.Contains("more than 5 redirects", app.Get<SourcePoller>().Status("test").LastError, StringComparison.Ordinal);
        Assert.Equal(6, ticker.Requests.Count);
    }

    [Fact]
    public async Task AStalledPollIsNeverStartedTwiceCountsAsAFailureAndAHealthySourceKeepsAlerting()
    {
        await using var stuck = await FakeTicker.StartAsync();
        await using var good = await FakeTicker.StartAsync();
        await using var app = PollerTests.NewApp(stuck);
        app.Settings["Alerts:Polling:Enabled"] = "true";
        app.Settings["Alerts:Polling:Timeout"] = "00:00:01";
        app.Settings["Alerts:Sources:1:Id"] = "good";
        app.Settings["Alerts:Sources:1:Kind"] = "feed";
        app.Settings["Alerts:Sources:1:Url"] = good.Url;
        app.Settings["Alerts:Sources:1:PollInterval"] = "00:00:02";
        stuck.Page = LineTickerParser.Page(("a", "Weather"));
        good.Page = LineTickerParser.Page(("a", "Weather"));

        // Every commit of "test" after its baseline hangs, as a write to a hung database would.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inside = 0;
        var mostAtOnce = 0;
        var stuckCommits = 0;
        app.Store.BeforeCommit = async commit =>
        {
            if (commit.SourceId != "test" || Interlocked.Increment(ref stuckCommits) == 1)
            {
                return;
            }

            var now = Interlocked.Increment(ref inside);
            InterlockedMax(ref mostAtOnce, now);
            await release.Task;
            Interlocked.Decrement(ref inside);
        };
        _ = app.Services;

        await PollerTests.WaitUntilAsync(() => Volatile.Read(ref inside) == 1, TimeSpan.FromSeconds(20));
        var client = app.CreateClient();
        var source = await WaitForStalledSourceAsync(client, "test", TimeSpan.FromSeconds(20));
        Assert.True(source.GetProperty("consecutiveFailures").GetInt32() >= 1);
        Assert.Contains("stalled", source.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        var metrics = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("alerts_polls_total{source=\"test\",outcome=\"stalled\"} 1", metrics, StringComparison.Ordinal);

        good.Page = LineTickerParser.Page(("b", "Ukraine news"), ("a", "Weather"));
        await PollerTests.WaitUntilAsync(() => app.Store.Rows.Any(r => r.Alert.SourceId == "good" && r.Alert.ItemKey == "b"), TimeSpan.FromSeconds(20));

        // Well past three times the timeout, more than once: still the one poll.
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.Equal(1, Volatile.Read(ref mostAtOnce));
        Assert.Equal(2, Volatile.Read(ref stuckCommits));

        release.SetResult();
        await PollerTests.WaitUntilAsync(() => Volatile.Read(ref stuckCommits) >= 3, TimeSpan.FromSeconds(20));
        Assert.Null(app.Get<SourcePoller>().Status("test").StalledSince);
    }

    [Fact]
    public async Task AFailedPollFailsItsHangfireJobNamedAfterTheSourceAndTheWarningNamesTheNextAttempt()
    {
        await using var ticker = await FakeTicker.StartAsync();
        await using var app = PollerTests.NewApp(ticker);
        app.Settings["Alerts:Polling:Enabled"] = "true";
        ticker.Next = FakeTicker.Status(503);
        _ = app.Services;

        var storage = app.Get<Hangfire.JobStorage>();
        await PollerTests.WaitUntilAsync(() => storage.GetMonitoringApi().FailedCount() > 0, TimeSpan.FromSeconds(20));

        var failed = storage.GetMonitoringApi().FailedJobs(0, 10).Select(j => j.Value).First();
        Assert.Equal("PollFailedException", failed.ExceptionType.Split('.')[^1]);
        Assert.Contains("503", failed.ExceptionMessage, StringComparison.Ordinal);
        var displayName = Assert.Single(failed.Job.Method.GetCustomAttributes(typeof(Hangfire.JobDisplayNameAttribute), false).Cast<Hangfire.JobDisplayNameAttribute>());
        Assert.Equal("Poll test", string.Format(System.Globalization.CultureInfo.InvariantCulture, displayName.DisplayName, [.. failed.Job.Args]));
        Assert.Contains(app.Logs.Lines, l => l.Contains("Poll of test failed", StringComparison.Ordinal) && l.Contains("next attempt at", StringComparison.Ordinal));
    }

    internal static FakeTicker.Responder DripFed(TimeSpan every, TimeSpan forHowLong) => async c =>
    {
        c.Response.ContentType = "text/plain; charset=utf-8";
        await c.Response.WriteAsync("TICKER\n", c.RequestAborted);
        var until = TimeProvider.System.GetTimestamp();
        try
        {
            while (TimeProvider.System.GetElapsedTime(until) < forHowLong)
            {
                await Task.Delay(every, c.RequestAborted);
                await c.Response.WriteAsync(" ", c.RequestAborted);
                await c.Response.Body.FlushAsync(c.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
            // The poller hung up: that is the point.
        }
    };

    private static FakeTicker.Responder Redirect(string location) => c =>
    {
        c.Response.StatusCode = StatusCodes.Status302Found;
        c.Response.Headers.Location = location;
        return Task.CompletedTask;
    };

    /// <summary><c>/ticker</c> → <c>/ticker?hop=1</c> … → <c>/ticker?hop=n</c>, which serves the page.</summary>
    private static FakeTicker.Responder RedirectChain(int hops) => async c =>
    {
        var hop = int.TryParse(c.Request.Query["hop"], out var h) ? h : 0;
        if (hop < hops)
        {
            c.Response.StatusCode = hop % 2 == 0 ? StatusCodes.Status301MovedPermanently : StatusCodes.Status307TemporaryRedirect;
            c.Response.Headers.Location = $"/ticker?hop={hop + 1}";
            return;
        }

        c.Response.ContentType = "text/plain; charset=utf-8";
        await c.Response.WriteAsync(LineTickerParser.Page(("a", "Ukraine talks")));
    };

    private static async Task<JsonElement> WaitForStalledSourceAsync(HttpClient client, string id, TimeSpan timeout)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            using var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            var source = json.GetProperty("sources").EnumerateArray().Single(s => s.GetProperty("id").GetString() == id);
            if (source.GetProperty("lastError").GetString()?.Contains("stalled", StringComparison.Ordinal) == true)
            {
                Assert.Equal("degraded", json.GetProperty("status").GetString());
                return source;
            }

            if (TimeProvider.System.GetElapsedTime(started) > timeout)
            {
                throw new TimeoutException("the stalled poll never showed in /healthz");
            }

            await Task.Delay(200);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
