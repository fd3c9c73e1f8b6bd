using Alerts.Core.Tickers;
using Alerts.Discord;
using Alerts.Host.Options;
using Alerts.Telegram;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Alerts.Host.Startup;

/// <summary>
/// The few lines at start-up that tell an operator what runs (SPEC §10): where the configuration comes from, the
/// database, each adapter (on, off, or half-configured and which key is missing), each source, where alerts go when
/// no adapter is on, and a warning for a token found in a file under <c>config/</c>.
/// </summary>
internal sealed class StartupReport(
    IConfiguration configuration,
    IOptions<AlertsOptions> alerts,
    IOptions<PollingOptions> polling,
    IOptions<WebhookOptions> webhook,
    ILogger<StartupReport> logger)
{
    /// <summary>Keys that hold secrets: they belong in the environment or user secrets, never in <c>config/</c> (README).</summary>
    internal static readonly string[] SecretKeys =
    [
        TelegramOptions.SectionName + ":BotToken",
        TelegramOptions.SectionName + ":WebhookSecret",
        DiscordOptions.Section + ":BotToken",
        "Alerts:Dashboard:Password",
    ];

    public void Log()
    {
        logger.LogInformation("Configuration: {Directory} (then environment variables, then command-line switches)",
            ConfigFiles.FindDirectory() is { } dir ? Path.Combine(ConfigFiles.Display(dir), "*.json") : "no config/ folder, built-in defaults");
        foreach (var key in SecretKeys)
        {
            if (FileDefining(key) is { } file)
            {
                logger.LogWarning("{Key} is read from {File}: tokens belong in environment variables or user secrets, not in files that get committed or copied into images", key, file);
            }
        }

        var adapters = 0;
        adapters += Adapter("Telegram", TelegramOptions.SectionName, "BotToken", ["ApiBaseUrl", "WebhookSecret", "WebhookUrl"],
            () => $"on ({(configuration[TelegramOptions.SectionName + ":Mode"] is { Length: > 0 } mode ? mode : "Polling")} mode)");
        adapters += Adapter("Discord", DiscordOptions.Section, "BotToken", ["ApplicationId", "PublicKey", "GuildId"],
            () => configuration[DiscordOptions.Section + ":GuildId"] is { Length: > 0 } guild ? $"on (commands for guild {guild})" : "on (global commands)");
        if (webhook.Value.Enabled)
        {
            logger.LogInformation("Webhook channel: on, posting to {Host}", Uri.TryCreate(webhook.Value.Url, UriKind.Absolute, out var url) ? url.GetLeftPart(UriPartial.Authority) : "?");
        }

        var console = alerts.Value.ConsoleSubscriptions.Count(c => c.Platform == Core.Subscriptions.Platforms.Console);
        if (adapters == 0)
        {
            logger.LogWarning("No chat adapter is on: alerts go to the console (this output) for the {Count} subscription(s) of Alerts:ConsoleSubscriptions; set Alerts__Telegram__BotToken or Alerts__Discord__BotToken to reach people", console);
        }
        else if (console > 0)
        {
            logger.LogInformation("Console: {Count} subscription(s) of Alerts:ConsoleSubscriptions print their alerts here", console);
        }

        var sources = alerts.Value.Sources;
        if (sources.Count == 0)
        {
            logger.LogWarning("No sources configured (Alerts:Sources): nothing is polled and /healthz reports unhealthy");
        }
        else if (!polling.Value.Enabled)
        {
            logger.LogInformation("Polling is off on this instance (Alerts:Polling:Enabled = false); another instance polls the {Count} source(s)", sources.Count);
        }

        foreach (var source in sources)
        {
            logger.LogInformation("Source {Id}: {Kind}, every {Interval}, {Url}", source.Id, string.IsNullOrEmpty(source.Kind) ? "kind detected from the page" : source.Kind, source.PollInterval, source.Url);
        }
    }

    /// <returns>1 when the adapter is on.</returns>
    private int Adapter(string name, string section, string tokenKey, string[] otherKeys, Func<string> on)
    {
        if (!string.IsNullOrWhiteSpace(configuration[$"{section}:{tokenKey}"]))
        {
            logger.LogInformation("{Adapter}: {State}", name, on());
            return 1;
        }

        var set = otherKeys.Where(k => !string.IsNullOrWhiteSpace(configuration[$"{section}:{k}"])).ToList();
        if (set.Count > 0)
        {
            logger.LogWarning("{Adapter}: off, half-configured: {Section}:{Missing} is missing ({Set} {Verb} set)", name, section, tokenKey, string.Join(" and ", set), set.Count == 1 ? "is" : "are");
        }
        else
        {
            logger.LogInformation("{Adapter}: off ({Section}:{Missing} not set)", name, section, tokenKey);
        }

        return 0;
    }

    /// <summary>The file under <c>config/</c> whose value for <paramref name="key"/> is the one in force, or null.</summary>
    internal string? FileDefining(string key)
    {
        if (configuration is not IConfigurationRoot root)
        {
            return null;
        }

        foreach (var provider in root.Providers.Reverse())
        {
            if (provider.TryGet(key, out var value) && !string.IsNullOrEmpty(value))
            {
                return provider is FileConfigurationProvider file && file.Source.FileProvider?.GetFileInfo(file.Source.Path ?? "").PhysicalPath is { } path
                    && ConfigFiles.FindDirectory() is { } dir && Path.GetFullPath(path).StartsWith(Path.GetFullPath(dir), StringComparison.Ordinal)
                    ? ConfigFiles.Display(path)
                    : null;
            }
        }

        return null;
    }
}
