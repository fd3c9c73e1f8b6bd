using Alerts.Host.Tests.Fakes;

namespace Alerts.Host.Tests.Processes;

/// <summary>The README's run command: no tokens, embedded defaults, alerts for the configured subscriptions on the console.</summary>
[Collection(ProcessTests.Name)]
public sealed class ConsoleRunTests
{
    private const string Before = """
        Ukraine-Krieg im Liveticker+++ 15:29 Selenskyj reist nach Paris +++

        01.12.2025, 15:29 Uhr

        Der Präsident trifft Macron.

        +++ 14:10 Wetterdienst warnt vor Glätte +++

        Im Osten wird es glatt.
        """;

    private const string After = """
        Ukraine-Krieg im Liveticker+++ 16:05 Ukraine erhält neue Luftabwehr +++

        01.12.2025, 15:29 Uhr

        Die Systeme sollen noch im Winter geliefert werden.

        +++ 15:29 Selenskyj reist nach Paris +++

        Der Präsident trifft Macron.

        +++ 14:10 Wetterdienst warnt vor Glätte +++

        Im Osten wird es glatt.
        """;

    [Fact]
    public async Task WithoutTokensTheServiceWritesAlertsForTheConfiguredSubscriptionsToTheConsole()
    {
        await using var ticker = await FakeTicker.StartAsync();
        ticker.Page = Before;
        var directory = Path.Combine(Path.GetTempPath(), "alerts-console-" + Guid.NewGuid().ToString("N")[..8]);
        var url = ticker.Url.Replace("/ticker", "/politik/Ukraine-Krieg-im-Liveticker-article23143824.html", StringComparison.Ordinal);

        // Only the ticker address and pace differ from config/appsettings.json: storage, subscriptions and channel are the defaults.
        await using var host = HostProcess.Start(directory, new Dictionary<string, string>
        {
            ["Alerts:Sources:0:Url"] = url,
            ["Alerts:Sources:0:PollInterval"] = "00:00:02",
        });

        await CrashTests.Until(() => host.Log.Contains("baseline of 2 items", StringComparison.Ordinal), TimeSpan.FromSeconds(60), host);
        ticker.Page = After;
        await CrashTests.Until(() => host.Log.Contains("Ukraine erhält neue Luftabwehr", StringComparison.Ordinal), TimeSpan.FromSeconds(30), host);

        var alert = host.Output.First(l => l.Contains("Ukraine erhält neue Luftabwehr", StringComparison.Ordinal));
        Assert.Contains("[alert → console:demo]", alert, StringComparison.Ordinal);
        Assert.Contains("16:05", alert, StringComparison.Ordinal);
        Assert.DoesNotContain(host.Output, l => l.Contains("Selenskyj reist nach Paris", StringComparison.Ordinal) && l.Contains("[alert", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(directory, "data", "alerts.db")));

        // The operations endpoints of the real process, asked from this machine (the dashboard's default audience).
        var address = host.Output.Select(l => l.Trim()).First(l => l.StartsWith("Now listening on: ", StringComparison.Ordinal))["Now listening on: ".Length..];
        using var client = new HttpClient { BaseAddress = new Uri(address) };
        using var health = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);
        Assert.Contains("\"lastSuccessfulPoll\":\"", await health.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("alerts_sent_total{platform=\"console\"} 1", await client.GetStringAsync(new Uri("/metrics", UriKind.Relative)), StringComparison.Ordinal);
        using var dashboard = await client.GetAsync(new Uri("/hangfire", UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.OK, dashboard.StatusCode);
        await host.StopAsync();
    }
}
