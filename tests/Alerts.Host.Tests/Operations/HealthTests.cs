using System.Text.RegularExpressions;
using Alerts.Host.Operations;
using Alerts.Host.Options;
using Alerts.Host.Tests.Cli;
using Alerts.Host.Tests.Fakes;
using Alerts.Host.Tests.Polling;
using Alerts.Host.Tests.Processes;
using Microsoft.Extensions.Time.Testing;

namespace Alerts.Host.Tests.Operations;

/// <summary>
/// A source that cannot be polled is never "ok" (SPEC §10, issue 12): the verdict of <see cref="ServiceHealth"/> in
/// virtual time, the new metrics after real polls, and the <c>healthcheck</c> verb against a running service.
/// </summary>
[Collection(ProcessTests.Name)]
public sealed partial class HealthTests
{
    private static readonly DateTimeOffset Start = new(2025, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void NoConfiguredSourceIsUnhealthy()
    {
        var (health, _) = NewHealth();

        var (status, reasons) = health.Assess(null, []);

        Assert.Equal(HealthStatus.Unhealthy, status);
        Assert.Equal(["no source is configured (Alerts:Sources)"], reasons);
    }

    [Fact]
    public void ASourceNotYetPolledIsOkUntilTheWindowHasPassedSinceStartUp()
    {
        var (health, time) = NewHealth();
        var never = new SourceHealthView("a", null, 0, null);

        Assert.Equal(HealthStatus.Ok, health.Assess(null, [never]).Status);
        time.Advance(TimeSpan.FromMinutes(30) + TimeSpan.FromSeconds(1));
        var (status, reasons) = health.Assess(null, [never]);

        Assert.Equal(HealthStatus.Unhealthy, status);
        Assert.StartsWith("no source has polled successfully since start-up", Assert.Single(reasons), StringComparison.Ordinal);
    }

    [Fact]
    public void OneFailingSourceIsDegradedAndNoRecentSuccessAnywhereIsUnhealthy()
    {
        var (health, time) = NewHealth();
        time.Advance(TimeSpan.FromHours(1));
        var good = new SourceHealthView("good", time.GetUtcNow() - TimeSpan.FromMinutes(1), 0, null);
        var bad = new SourceHealthView("bad", time.GetUtcNow() - TimeSpan.FromHours(1), 4, "HTTP 500 Internal Server Error");

        var degraded = health.Assess(null, [good, bad]);
        time.Advance(TimeSpan.FromMinutes(30));
        var unhealthy = health.Assess(null, [good, bad]);

        Assert.Equal((HealthStatus.Degraded, "source bad: 4 failed poll(s) in a row: HTTP 500 Internal Server Error"), (degraded.Status, Assert.Single(degraded.Reasons)));
        Assert.Equal(HealthStatus.Unhealthy, unhealthy.Status);
    }

    [Fact]
    public void ReportedTroubleCountsUntilItIsCleared()
    {
        var (health, time) = NewHealth();
        var fine = new SourceHealthView("a", time.GetUtcNow(), 0, null);

        health.ReportDatabaseProblem("the database file /data/alerts.db was deleted");
        Assert.Equal((HealthStatus.Unhealthy, "database: the database file /data/alerts.db was deleted"), One(health.Assess(null, [fine])));
        health.ClearDatabaseProblem();
        health.ReportPollStalled("a", "poll running for 3 minutes");
        Assert.Equal((HealthStatus.Degraded, "source a: poll running for 3 minutes"), One(health.Assess(null, [fine])));
        health.ClearPollStalled("a");

        Assert.Equal(HealthStatus.Ok, health.Assess(null, [fine]).Status);
    }

    [Fact]
    public async Task MetricsHaveEachSourcesLastSuccessAndPollDurationAndTheProcessAndRuntime()
    {
        await using var ticker = await FakeTicker.StartAsync();
        await using var app = PollerTests.NewApp(ticker);
        await PollerTests.PollAsync(app);
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        var text = await app.CreateClient().GetStringAsync(new Uri("/metrics", UriKind.Relative));

        var lastSuccess = double.Parse(LastSuccess().Match(text).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(lastSuccess, before - 60, before + 1);
        Assert.Contains("alerts_poll_duration_seconds_count{source=\"test\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("process_cpu_seconds_total ", text, StringComparison.Ordinal);
        Assert.Contains("process_working_set_bytes ", text, StringComparison.Ordinal);
        Assert.Contains("process_open_handles ", text, StringComparison.Ordinal);
        Assert.Contains("dotnet_collection_count_total{generation=\"0\"}", text, StringComparison.Ordinal);
        Assert.Contains("dotnet_total_memory_bytes ", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheHealthcheckVerbPassesForAWorkingServiceAndFailsForOneWithoutSources()
    {
        await using var ticker = await FakeTicker.StartAsync();
        ticker.Page = "Ukraine-Krieg im Liveticker+++ 15:29 Selenskyj reist nach Paris +++\n\n01.12.2025, 15:29 Uhr\n\nDer Präsident trifft Macron.\n";
        using var working = new TempDirectory("alerts-healthy");
        using var broken = new TempDirectory("alerts-nosources");
        broken.Write("config/appsettings.json", """{ "Alerts": { "Sources": [], "ConsoleSubscriptions": [] } }""");
        await using var good = HostProcess.Start(working.Path, new Dictionary<string, string>
        {
            ["Alerts:Sources:0:Url"] = ticker.Url.Replace("/ticker", "/politik/Liveticker-article23143824.html", StringComparison.Ordinal),
            ["Alerts:Sources:0:PollInterval"] = "00:00:02",
        });
        await using var empty = HostProcess.Start(broken.Path, new Dictionary<string, string>());

        var goodUrl = await ListeningAsync(good);
        var emptyUrl = await ListeningAsync(empty);
        await CrashTests.Until(() => good.Log.Contains("baseline of 1 items", StringComparison.Ordinal), TimeSpan.FromSeconds(60), good);

        var ok = await CliRunner.Run("healthcheck", "--url", goodUrl);
        var unhealthy = await CliRunner.Run("healthcheck", "--url", emptyUrl + "/healthz");
        var nobody = await CliRunner.Run("healthcheck", "--url", "http://127.0.0.1:9/healthz", "--timeout", "2");

        Assert.True(ok.Code == 0, ok.Stderr + good.Log);
        Assert.StartsWith("ok: ", ok.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, unhealthy.Code);
        Assert.StartsWith("unhealthy (HTTP 503): ", unhealthy.Stderr, StringComparison.Ordinal);
        Assert.Contains("no source is configured (Alerts:Sources)", unhealthy.Stderr, StringComparison.Ordinal);
        Assert.Contains(empty.Lines, l => l.Contains("No sources configured (Alerts:Sources)", StringComparison.Ordinal));
        Assert.Equal(1, nobody.Code);
        Assert.StartsWith("no answer from http://127.0.0.1:9/healthz", nobody.Stderr, StringComparison.Ordinal);
    }

    private static async Task<string> ListeningAsync(HostProcess host)
    {
        string? url = null;
        await CrashTests.Until(() => (url = host.Output.Select(l => Listening().Match(l)).FirstOrDefault(m => m.Success)?.Groups[1].Value) is not null, TimeSpan.FromSeconds(60), host);
        return url!;
    }

    private static (HealthStatus, string) One((HealthStatus Status, IReadOnlyList<string> Reasons) verdict) => (verdict.Status, Assert.Single(verdict.Reasons));

    private static (ServiceHealth Health, FakeTimeProvider Time) NewHealth()
    {
        var time = new FakeTimeProvider(Start);
        return (new ServiceHealth(Microsoft.Extensions.Options.Options.Create(new HealthOptions()), time), time);
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex Listening();

    [GeneratedRegex(@"alerts_source_last_success_timestamp_seconds\{source=""test""\} (\S+)")]
    private static partial Regex LastSuccess();
}
