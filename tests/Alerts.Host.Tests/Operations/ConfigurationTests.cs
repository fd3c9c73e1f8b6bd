using Alerts.Host.Options;
using Alerts.Host.Tests.Fakes;
using Microsoft.Extensions.Options;
using Alerts.Host.Tests.Polling;
using Alerts.Host.Tests.Processes;

namespace Alerts.Host.Tests.Operations;

/// <summary>
/// In-process, the options are checked where the service reads them (the factory's host does not stop the way
/// the real process does); <see cref="TheRealProcessPrintsTheKeyAndExitsNonZero"/> checks the real start-up.
/// </summary>
[Collection(ProcessTests.Name)]
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("Alerts:Sources:0:Url", "ftp://example.test/x", "Alerts:Sources:0:Url must be an absolute http(s) URL")]
    [InlineData("Alerts:Sources:0:Url", "not a url", "Alerts:Sources:0:Url must be an absolute http(s) URL")]
    [InlineData("Alerts:Sources:0:PollInterval", "00:00:01", "Alerts:Sources:0:PollInterval must be at least 00:00:02")]
    [InlineData("Alerts:Sources:0:Kind", "rss", "Alerts:Sources:0:Kind 'rss' is unknown")]
    [InlineData("Alerts:Sources:0:Id", "", "Alerts:Sources:0:Id is required")]
    [InlineData("Alerts:Sources:0:TimeZone", "Mars/Olympus", "Alerts:Sources:0:TimeZone 'Mars/Olympus' is not a known time zone")]
    [InlineData("Alerts:Dispatch:MaxConcurrentSends", "0", "Alerts:Dispatch:MaxConcurrentSends must be greater than 0")]
    [InlineData("Alerts:Limits:RegexCacheEntries", "0", "Alerts:Limits:RegexCacheEntries must be greater than 0")]
    [InlineData("Alerts:Limits:RegexCacheMegabytes", "-1", "Alerts:Limits:RegexCacheMegabytes must be greater than 0")]
    [InlineData("Alerts:Webhook:Url", "/relative", "Alerts:Webhook:Url must be an absolute http(s) URL")]
    [InlineData("Alerts:Dashboard:Username", "ops", "Alerts:Dashboard:Username and Alerts:Dashboard:Password must be set together")]
    [InlineData("Alerts:ConsoleSubscriptions:0:Query", "(Ukraine", "Alerts:ConsoleSubscriptions:0:Query '(Ukraine': ")]
    [InlineData("Alerts:ConsoleSubscriptions:0:Source", "elsewhere", "Alerts:ConsoleSubscriptions:0:Source 'elsewhere' is not a configured source id")]
    public async Task InvalidConfigurationStopsStartUpWithAMessageNamingTheKey(string key, string value, string message)
    {
        await using var app = new AlertsApp();
        app.Settings[key] = value;

        var error = Record.Exception(() => app.Services.GetRequiredService<IStartupValidator>().Validate());

        Assert.NotNull(error);
        Assert.Contains(message, Flatten(error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DuplicateSourceIdsAreRefused()
    {
        await using var app = new AlertsApp();
        app.Settings["Alerts:Sources:1:Id"] = "test";
        app.Settings["Alerts:Sources:1:Url"] = "http://127.0.0.1:9/other";

        var error = Record.Exception(() => app.Services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("Alerts:Sources:1:Id 'test' is used by another source; ids must be unique", Flatten(error!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnNtvSourceMustBeAnArticleAndIsKeyedOnItsArticleId()
    {
        await using var app = new AlertsApp();
        app.Settings["Alerts:Sources:0:Kind"] = "ntv-liveticker";
        app.Settings["Alerts:Sources:0:Url"] = "https://www.n-tv.de/politik/Ukraine-Krieg-im-Liveticker-article23143824.html";
        app.Settings["Alerts:Sources:1:Id"] = "same-page";
        app.Settings["Alerts:Sources:1:Kind"] = "ntv-liveticker";
        app.Settings["Alerts:Sources:1:Url"] = "https://www.n-tv.de/politik/Neuer-Titel-article23143824.html";

        var error = Record.Exception(() => app.Services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("Alerts:Sources:1:Url is article 23143824, which source 'test' already polls", Flatten(error!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheRealProcessPrintsTheKeyAndExitsNonZero()
    {
        var directory = Path.Combine(Path.GetTempPath(), "alerts-config-" + Guid.NewGuid().ToString("N")[..8]);
        await using var host = HostProcess.Start(directory, new Dictionary<string, string> { ["Alerts:Sources:0:PollInterval"] = "00:00:00.500" });

        var exit = await host.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exit);
        Assert.Contains(host.Output, l => l.Contains("Alerts:Sources:0:PollInterval must be at least 00:00:02", StringComparison.Ordinal));
        Assert.DoesNotContain(host.Output, l => l.Contains("   at ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TokensNeverAppearInTheLogs()
    {
        // A real process, so the adapters see the tokens when they register, exactly as in production; their
        // API addresses point at a closed port, so every call fails and gets logged.
        const string telegramToken = "123456789:AAH-secret-telegram-token-value";
        const string discordToken = "MTAx.secret-discord-token.value";
        await using var ticker = await FakeTicker.StartAsync();
        ticker.Page = LineTickerParser.Page(("a", "Ukraine"));
        var directory = Path.Combine(Path.GetTempPath(), "alerts-tokens-" + Guid.NewGuid().ToString("N")[..8]);
        await using var host = HostProcess.Start(directory, new Dictionary<string, string>
        {
            ["Alerts:Sources:0:Kind"] = "",
            ["Alerts:Sources:0:Url"] = ticker.Url,
            ["Alerts:Sources:0:PollInterval"] = "00:00:02",
            ["Alerts:Telegram:BotToken"] = telegramToken,
            ["Alerts:Telegram:ApiBaseUrl"] = "http://127.0.0.1:9",
            ["Alerts:Discord:BotToken"] = discordToken,
            ["Alerts:Discord:ApplicationId"] = "1",
            ["Alerts:Discord:PublicKey"] = new string('a', 64),
            ["Alerts:Discord:ApiBaseUrl"] = "http://127.0.0.1:9",
            ["Alerts:Dashboard:Username"] = "ops",
            ["Alerts:Dashboard:Password"] = "dashboard-secret-pw",
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
            ["Logging:LogLevel:Hangfire"] = "Trace",
        });

        await CrashTests.Until(() => ticker.Requests.Count >= 2, TimeSpan.FromSeconds(60), host);
        await Task.Delay(TimeSpan.FromSeconds(2));
        await host.StopAsync();

        Assert.True(host.Output.Count > 20, host.Log);
        foreach (var secret in new[] { telegramToken, "secret-telegram-token", discordToken, "secret-discord-token", "dashboard-secret-pw" })
        {
            Assert.DoesNotContain(host.Output, line => line.Contains(secret, StringComparison.Ordinal));
        }
    }

    private static string Flatten(Exception e)
    {
        var text = new System.Text.StringBuilder();
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            text.AppendLine(x.Message);
            if (x is Microsoft.Extensions.Options.OptionsValidationException v)
            {
                text.AppendJoin('\n', v.Failures).AppendLine();
            }

            if (x is AggregateException a)
            {
                foreach (var inner in a.InnerExceptions)
                {
                    text.AppendLine(Flatten(inner));
                }
            }
        }

        return text.ToString();
    }
}
