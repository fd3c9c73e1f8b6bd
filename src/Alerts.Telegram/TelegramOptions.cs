using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Alerts.Telegram;

public enum TelegramMode
{
    /// <summary>getUpdates long polling: works behind NAT, nothing to expose (the default).</summary>
    Polling,

    /// <summary>Telegram POSTs updates to <c>/telegram/webhook</c>; needs a public HTTPS address.</summary>
    Webhook,
}

/// <summary><c>Alerts:Telegram</c> (SPEC §11). The adapter is on when <see cref="BotToken"/> is set.</summary>
public sealed partial class TelegramOptions
{
    public const string SectionName = "Alerts:Telegram";

    /// <summary>From BotFather; only from environment (<c>Alerts__Telegram__BotToken</c>) or user secrets. Never logged.</summary>
    public string BotToken { get; set; } = "";

    /// <summary>Replaces <c>https://api.telegram.org</c> (a local Bot API server, or a test server on 127.0.0.1).</summary>
    public string? ApiBaseUrl { get; set; }

    public TelegramMode Mode { get; set; } = TelegramMode.Polling;

    /// <summary>Webhook mode: the value Telegram sends in <c>X-Telegram-Bot-Api-Secret-Token</c>.</summary>
    public string WebhookSecret { get; set; } = "";

    /// <summary>Webhook mode: the public address of <c>POST /telegram/webhook</c>; when set, registered with setWebhook at start-up.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>Alerts and replies are sent without link previews unless this is false.</summary>
    public bool DisableLinkPreviews { get; set; } = true;

    /// <summary>
    /// Sets <c>allow_paid_broadcast</c> on alerts: Telegram then accepts up to 1,000 messages per second overall instead
    /// of 30, and charges Telegram Stars for what goes beyond 30 (the bot's balance must cover it). Per-chat limits stay.
    /// </summary>
    public bool AllowPaidBroadcast { get; set; }

    /// <summary>Long-poll timeout of getUpdates, in seconds (0 = short polling).</summary>
    public int PollingTimeoutSeconds { get; set; } = 30;

    /// <summary>How long one sendMessage may take before it counts as a transient failure.</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a group's administrator list is trusted before getChatMember is asked again.</summary>
    public TimeSpan AdminCacheDuration { get; set; } = TimeSpan.FromMinutes(2);

    public bool Enabled => !string.IsNullOrWhiteSpace(BotToken);

    [GeneratedRegex("^[0-9]{1,16}:[A-Za-z0-9_-]+$")]
    internal static partial Regex TokenPattern();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,256}$")]
    internal static partial Regex SecretPattern();

    /// <summary>The numeric bot id (the digits before the colon); not secret.</summary>
    internal long BotId => long.Parse(BotToken.AsSpan(0, BotToken.IndexOf(':', StringComparison.Ordinal)), System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Checks <see cref="TelegramOptions"/> at start-up; every message names the key and never contains the token.</summary>
internal sealed class TelegramOptionsValidator : IValidateOptions<TelegramOptions>
{
    public ValidateOptionsResult Validate(string? name, TelegramOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Skip;
        }

        var errors = new List<string>();
        var key = TelegramOptions.SectionName;
        if (!TelegramOptions.TokenPattern().IsMatch(options.BotToken.Trim()))
        {
            errors.Add($"{key}:BotToken does not look like a bot token ('<digits>:<text>', as BotFather gives it).");
        }

        if (!string.IsNullOrWhiteSpace(options.ApiBaseUrl)
            && (!Uri.TryCreate(options.ApiBaseUrl, UriKind.Absolute, out var api) || api.Scheme is not ("http" or "https")))
        {
            errors.Add($"{key}:ApiBaseUrl must be an absolute http(s) URL.");
        }

        if (options.Mode == TelegramMode.Webhook)
        {
            if (!TelegramOptions.SecretPattern().IsMatch(options.WebhookSecret))
            {
                errors.Add($"{key}:WebhookSecret is required in Webhook mode: 1-256 characters of A-Z, a-z, 0-9, _ and -.");
            }

            if (!string.IsNullOrWhiteSpace(options.WebhookUrl)
                && (!Uri.TryCreate(options.WebhookUrl, UriKind.Absolute, out var hook) || hook.Scheme is not ("http" or "https")))
            {
                errors.Add($"{key}:WebhookUrl must be an absolute http(s) URL.");
            }
        }
        else if (!Enum.IsDefined(options.Mode))
        {
            errors.Add($"{key}:Mode must be Polling or Webhook.");
        }

        if (options.PollingTimeoutSeconds is < 0 or > 50)
        {
            errors.Add($"{key}:PollingTimeoutSeconds must be between 0 and 50.");
        }

        if (options.SendTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{key}:SendTimeout must be positive.");
        }

        if (options.AdminCacheDuration < TimeSpan.Zero)
        {
            errors.Add($"{key}:AdminCacheDuration must not be negative.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
