using Alerts.Core.Delivery;
using Alerts.Host.Options;
using Alerts.Host.Polling;
using Alerts.Host.Tests.Fakes;
using Microsoft.Extensions.Options;

namespace Alerts.Host.Tests.Polling;

public sealed class PollerTests
{
    [Fact]
    public async Task TheFirstPollIsABaselineAndANewEntryLaterBecomesOneAlertPerSubscriber()
    {
        await using var ticker = await FakeTicker.StartAsync();
        await using var app = NewApp(ticker);
        ticker.Page = LineTickerParser.Page(("a", "Ukraine talks"), ("b", "Weather"));
        var poller = app.Get<SourcePoller>();

        Assert.Equal(PollOutcome.Unchanged, await PollAsync(app));
        Assert.Empty(app.Store.Rows);

        ticker.Page = LineTickerParser.Page(("c", "Ukraine news from Kyiv"), ("a", "Ukraine talks"), ("b", "Weather"));
        Assert.Equal(PollOutcome.Changed, await PollAsync(app));
        var row = Assert.Single(app.Store.Rows);
        Assert.Equal("console:demo", row.Alert.SubscriberId);
        Assert.Equal("c", row.Alert.ItemKey);
        Assert.Equal(0, poller.Status("test").ConsecutiveFailures);
    }

    [Fact]
    public async Task AnUnchangedPageAnswered304WithItsETagCostsNoParsing()
    {
        await using var ticker = await FakeTicker.StartAsync();
        await using var app = NewApp(ticker);
        ticker.Page = LineTickerParser.Page(("a", "Ukraine talks"));
        ticker.ETag = "\"v1\"";

        await PollAsync(app);
        var commits = app.Store.CommitCount;
        Assert.Equal(PollOutcome.NotModified, await PollAsync(app));

        Assert.Equal(["", "\"v1\""], ticker.Requests.Select(r => r.IfNoneMatch));
        Assert.Equal([200, 304], ticker.Requests.Select(r => r.Status));
        Assert.Equal(commits, app.Store.CommitCount);
        Assert.Equal("\"v1\"", (await app.Store.GetStateAsync("test"))!.ETag);
    }

    [Fact]
    public async Task A500IsAFailureAndTheNextGoodPollRecovers()
    {
        await using var ticker = await FakeTicker.StartAsync();
        await using var app = NewApp(ticker);
        await PollAsync(app);
        ticker.Next = FakeTicker.Status(500);

        Assert.Equal(PollOutcome.Failed, await PollAsync(app));
        Assert.Equal(PollOutcome.Failed, await PollAsync(app));
        var status = app.Get<SourcePoller>().Status("test");
        Assert.Equal(2, status.ConsecutiveFailures);
        Assert.Contains("500", status.LastError, StringComparison.Ordinal);
        Assert.Equal(2, (await app.Store.GetStateAsync("test"))!.ConsecutiveFailures);

        ticker.Next = null;
        Assert.Equal(PollOutcome.Unchanged, await PollAsync(app));
        Assert.Equal(0, status.ConsecutiveFailures);
        Assert.Null(status.LastError);
    }

    [Fact]
    public async Task ATickerThatDoesNotAnswerTimesOut()
    {
        await using var ticker = await FakeTicker.StartAsync();
        await using var app = NewApp(ticker);
        app.Settings["Alerts:Polling:Timeout"] = "00:00:01";
        ticker.Next = FakeTicker.Hang(TimeSpan.FromSeconds(30));

        var started = TimeProvider.System.GetTimestamp();
        Assert.Equal(PollOutcome.Failed, await PollAsync(app));

        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(10));
        Assert.Contains("timed out", app.Get<SourcePoller>().Status("test").LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATruncatedBodyIsAFailureAndChangesNothing()
    {
        await using var ticker = await FakeTicker.StartAsync();
        await using var app = NewApp(ticker);
        await PollAsync(app);
        ticker.Next = FakeTicker.Truncated(LineTickerParser.Page(("x", "Ukraine cut off")));

        Assert.Equal(PollOutcome.Failed, await PollAsync(app));
        Assert.Empty(app.Store.Rows);
        Assert.Equal(1, app.Store.CommitCount);
    }

    [Fact]
    public async Task GarbageInsteadOfAPageIsAFailureWithAReadableReason()
    {
        await using var ticker = await FakeTicker.StartAsync();
        await using var app = NewApp(ticker);
        ticker.Next = FakeTicker.Garbage();

        Assert.Equal(PollOutcome.Failed, await PollAsync(app));
        Assert.Contains("unreadable page", app.Get<SourcePoller>().Status("test").LastError, StringComparison.Ordinal);
        Assert.Null(await app.Store.GetStateAsync("test"));
    }

    [Fact]
    public async Task PausedAndInactiveSubscribersAreNotEnqueued()
    {
        await using var ticker = await FakeTicker.StartAsync();
        await using var app = NewApp(ticker);
        app.Settings["Alerts:ConsoleSubscriptions:1:Subscriber"] = "paused";
        app.Settings["Alerts:ConsoleSubscriptions:1:Query"] = "Ukraine";
        _ = app.Services;
        await app.Store.SetPausedAsync("console:paused", true);
        await PollAsync(app);

        ticker.Page = LineTickerParser.Page(("n", "Ukraine"));
        await PollAsync(app);

        Assert.Equal(["console:demo"], app.Store.Rows.Select(r => r.Alert.SubscriberId));
    }

    [Fact]
    public async Task ASubscriptionTakenOnAnotherInstanceCountsForTheNextPoll()
    {
        await using var ticker = await FakeTicker.StartAsync();
        await using var app = NewApp(ticker);
        ticker.Page = LineTickerParser.Page(("a", "Weather"));
        await PollAsync(app);

        // Written straight to the shared store, as another instance's command handler would; then it is removed again.
        var other = await app.Store.EnsureSubscriberAsync(new Alerts.Core.Subscriptions.Subscriber("console:other", "console", "other"));
        var subscription = await app.Store.AddSubscriptionAsync(other.Id, "Drohnen", null, DateTimeOffset.UtcNow);
        ticker.Page = LineTickerParser.Page(("b", "Drohnen over Kyiv"), ("a", "Weather"));
        await PollAsync(app);
        await app.Store.RemoveSubscriptionAsync(subscription.Id);
        ticker.Page = LineTickerParser.Page(("c", "More Drohnen"), ("b", "Drohnen over Kyiv"), ("a", "Weather"));
        await PollAsync(app);

        var row = Assert.Single(app.Store.Rows);
        Assert.Equal(("console:other", "b"), (row.Alert.SubscriberId, row.Alert.ItemKey));
    }

    [Fact]
    public async Task BackoffDoublesFromTheIntervalAndIsCapped()
    {
        var interval = TimeSpan.FromSeconds(2);
        var max = TimeSpan.FromMinutes(1);
        Assert.Equal(interval, PollScheduler.Backoff(interval, 0, max));
        Assert.Equal(TimeSpan.FromSeconds(4), PollScheduler.Backoff(interval, 1, max));
        Assert.Equal(TimeSpan.FromSeconds(16), PollScheduler.Backoff(interval, 3, max));
        Assert.Equal(max, PollScheduler.Backoff(interval, 10, max));
        Assert.Equal(max, PollScheduler.Backoff(interval, 1000, max));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task ABrokenSourceBacksOffWhileAHealthyOneKeepsItsPaceAndBothRecover()
    {
        await using var good = await FakeTicker.StartAsync();
        await using var bad = await FakeTicker.StartAsync();
        await using var app = NewApp(good);
        app.Settings["Alerts:Polling:Enabled"] = "true";
        app.Settings["Alerts:Sources:1:Id"] = "bad";
        app.Settings["Alerts:Sources:1:Kind"] = "feed";
        app.Settings["Alerts:Sources:1:Url"] = bad.Url;
        app.Settings["Alerts:Sources:1:PollInterval"] = "00:00:02";
        bad.Next = FakeTicker.Status(503);
        _ = app.Services;

        await WaitUntilAsync(() => good.Requests.Count >= 4, TimeSpan.FromSeconds(20));
        var poller = app.Get<SourcePoller>();

        // 2 s interval: the good source was polled ~every 2 s; the bad one backed off (4 s, then 8 s), each poll
        // being one request plus the resilience handler's single quick retry.
        Assert.InRange(poller.Status("bad").ConsecutiveFailures, 1, 3);
        Assert.InRange(bad.Requests.Count, 2, 6);
        Assert.Equal(app.Get<Alerts.Host.Polling.InstanceIdentity>().Id, app.Store.LeaseHolder("poll:bad"));

        bad.Next = null;
        await WaitUntilAsync(() => poller.Status("bad").ConsecutiveFailures == 0, TimeSpan.FromSeconds(20));
        Assert.NotNull(poller.Status("bad").LastSuccessAt);
    }

    internal static AlertsApp NewApp(FakeTicker ticker)
    {
        var app = new AlertsApp();
        app.Settings["Alerts:Sources:0:Url"] = ticker.Url;
        return app;
    }

    internal static Task<PollOutcome> PollAsync(AlertsApp app)
    {
        var source = app.Get<IOptions<AlertsOptions>>().Value.Sources.Single(s => s.Id == "test");
        return app.Get<SourcePoller>().PollAsync(source, CancellationToken.None);
    }

    internal static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (!condition())
        {
            if (TimeProvider.System.GetElapsedTime(started) > timeout)
            {
                throw new TimeoutException("condition not met in time");
            }

            await Task.Delay(50);
        }
    }
}
