using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Alerts.Host.Tests.Fakes;
using Alerts.Host.Tests.Polling;

namespace Alerts.Host.Tests.Operations;

public sealed class OperationsTests
{
    [Fact]
    public async Task HealthReportsTheDatabaseAndTheLastSuccessfulPollOfEachSource()
    {
        await using var ticker = await FakeTicker.StartAsync();
        await using var app = PollerTests.NewApp(ticker);
        await PollerTests.PollAsync(app);

        using var response = await app.CreateClient().GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.Equal("ok", root.GetProperty("status").GetString());
        Assert.True(root.GetProperty("database").GetProperty("ok").GetBoolean());
        var source = root.GetProperty("sources")[0];
        Assert.Equal("test", source.GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.String, source.GetProperty("lastSuccessfulPoll").ValueKind);
        Assert.Equal(0, source.GetProperty("consecutiveFailures").GetInt32());
    }

    [Fact]
    public async Task HealthShowsAFailingSourceWithItsErrorAndStaysUp()
    {
        await using var ticker = await FakeTicker.StartAsync();
        await using var app = PollerTests.NewApp(ticker);
        await PollerTests.PollAsync(app);
        ticker.Next = FakeTicker.Status(500);
        await PollerTests.PollAsync(app);

        using var response = await app.CreateClient().GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("degraded", json.RootElement.GetProperty("status").GetString());
        var source = json.RootElement.GetProperty("sources")[0];
        Assert.Equal(1, source.GetProperty("consecutiveFailures").GetInt32());
        Assert.Contains("500", source.GetProperty("lastError").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthIs503WhenTheDatabaseIsDown()
    {
        await using var app = new AlertsApp();
        var client = app.CreateClient();
        app.Store.Down = true;

        using var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(json.RootElement.GetProperty("database").GetProperty("ok").GetBoolean());
        Assert.Equal("unhealthy", json.RootElement.GetProperty("status").GetString());
        app.Store.Down = false;
    }

    [Fact]
    public async Task HealthIs503WhenTheDatabaseTakesNoWritesAlthoughReadsWork()
    {
        await using var app = new AlertsApp();
        var client = app.CreateClient();
        app.Store.WritesFail = true;

        using var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("unhealthy", json.RootElement.GetProperty("status").GetString());
        Assert.Equal("writes fail: database or disk is full", json.RootElement.GetProperty("database").GetProperty("error").GetString());

        // Asked again and again (a load balancer's probe): one log line, not one per request.
        for (var i = 0; i < 20; i++)
        {
            using var again = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, again.StatusCode);
        }

        Assert.Single(app.Logs.Lines, l => l.Contains("Database unhealthy", StringComparison.Ordinal));
        app.Store.WritesFail = false;
        using var recovered = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
    }

    [Fact]
    public async Task MetricsCountPollsItemsMatchesAndSentAlertsWithTheirLatency()
    {
        await using var ticker = await FakeTicker.StartAsync();
        await using var app = PollerTests.NewApp(ticker);
        ticker.Page = LineTickerParser.Page(("a", "Weather"));
        await PollerTests.PollAsync(app);
        ticker.Page = LineTickerParser.Page(("b", "Ukraine news"), ("a", "Weather"));
        await PollerTests.PollAsync(app);
        await PollerTests.WaitUntilAsync(() => app.Console.ToString().Contains("Ukraine news", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        await PollerTests.WaitUntilAsync(() => app.Store.Rows.All(r => r.Status == Alerts.Core.Delivery.OutboxStatus.Sent), TimeSpan.FromSeconds(5));

        var text = await app.CreateClient().GetStringAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Contains("alerts_polls_total{source=\"test\",outcome=\"unchanged\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("alerts_polls_total{source=\"test\",outcome=\"changed\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("alerts_items_total{source=\"test\"} 3", text, StringComparison.Ordinal);
        Assert.Contains("alerts_new_items_total{source=\"test\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("alerts_matches_total{source=\"test\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("alerts_sent_total{platform=\"console\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("alerts_publish_to_send_seconds_count{platform=\"console\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("alerts_enqueue_to_send_seconds_count{platform=\"console\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("alerts_outbox_rows{status=\"sent\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("alerts_regex_cache_entries 0", text, StringComparison.Ordinal);
        Assert.Contains("alerts_regex_cache_builds_total 0", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MetricsCountDiscordInteractionsRefusedForTheirSignature()
    {
        var rejected = new Alerts.Discord.Interactions.RejectedInteractions(TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<Alerts.Discord.Interactions.RejectedInteractions>.Instance);
        var metrics = new Alerts.Host.Operations.AlertsMetrics(new InMemoryAlertStore(), rejected);
        rejected.Record();
        rejected.Record();
        rejected.Record();

        using var stream = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(stream);

        Assert.Contains("alerts_discord_interactions_rejected_total 3", Encoding.UTF8.GetString(stream.ToArray()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MetricsCountFailedPollsAndFailedAlertsByReason()
    {
        await using var ticker = await FakeTicker.StartAsync();
        await using var app = PollerTests.NewApp(ticker);
        ticker.Next = FakeTicker.Garbage();
        await PollerTests.PollAsync(app);
        var metrics = app.Get<Alerts.Host.Operations.AlertsMetrics>();
        metrics.Failed(null!, "telegram", Alerts.Core.Delivery.FailureReasons.SubscriberGone);

        var text = await app.CreateClient().GetStringAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Contains("alerts_polls_total{source=\"test\",outcome=\"error\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("alerts_source_consecutive_failures{source=\"test\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("alerts_failed_total{platform=\"telegram\",reason=\"subscriber_gone\"} 1", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDashboardRefusesRemoteRequestsWithoutCredentials()
    {
        await using var app = new AlertsApp();

        // The test server's requests carry no remote address: they count as remote.
        using var response = await app.CreateClient().GetAsync(new Uri("/hangfire", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task TheDashboardAsksForAndAcceptsTheConfiguredCredentials()
    {
        await using var app = new AlertsApp();
        app.Settings["Alerts:Dashboard:Username"] = "ops";
        app.Settings["Alerts:Dashboard:Password"] = "s3cret-dashboard";
        var client = app.CreateClient();

        using var anonymous = await client.GetAsync(new Uri("/hangfire", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains("Basic", anonymous.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);

        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/hangfire");
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("ops:nope")));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(wrong)).StatusCode);

        using var right = new HttpRequestMessage(HttpMethod.Get, "/hangfire");
        right.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("ops:s3cret-dashboard")));
        using var ok = await client.SendAsync(right);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Contains("Hangfire", await ok.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
