namespace Alerts.Core.Subscriptions;

/// <summary>
/// Who receives alerts: one Telegram chat, one Discord user (by DM) or one Discord channel.
/// <see cref="Id"/> is "{Platform}:{Address}" (for example <c>telegram:-1001234</c>,
/// <c>discord-user:80351110224678912</c>, <c>discord-channel:41771983423143937</c>, <c>console:demo</c>).
/// </summary>
/// <param name="Language">The language chosen with <c>/language</c> (<c>de</c> or <c>en</c>), or null while none was chosen.</param>
/// <param name="DetectedLanguage">The language of the user who last wrote, from their client (<c>language_code</c>, Discord <c>locale</c>).</param>
/// <param name="MutedUntil">Set by <c>/mute</c>: no alerts for the chat before this instant.</param>
/// <param name="Quiet">Set by <c>/quiet</c>: alerts in these local hours arrive without sound.</param>
/// <param name="LongFormat">Set by <c>/format long</c>: alerts carry the whole body instead of about 400 characters.</param>
public sealed record Subscriber(
    string Id,
    string Platform,
    string Address,
    bool IsGroup = false,
    bool Paused = false,
    bool Active = true,
    string TimeZone = "Europe/Berlin",
    string? DeactivatedReason = null,
    string? Language = null,
    string? DetectedLanguage = null,
    DateTimeOffset? MutedUntil = null,
    QuietHours? Quiet = null,
    bool LongFormat = false)
{
    public const string DefaultTimeZone = "Europe/Berlin";

    public static string MakeId(string platform, string address) => $"{platform}:{address}";

    /// <summary>The language replies and alerts use: the chosen one, else the writer's, else English (SPEC §5).</summary>
    public string EffectiveLanguage => Language ?? DetectedLanguage ?? ChatLanguage.English;

    public bool IsMutedAt(DateTimeOffset now) => MutedUntil is { } until && until > now;

    /// <summary>The subscriber's zone, falling back to Europe/Berlin when the stored id is unknown on this machine.</summary>
    public TimeZoneInfo FindTimeZone() => ChatTime.FindZone(TimeZone);

    /// <summary>True when <paramref name="now"/> falls into the quiet hours in the subscriber's zone.</summary>
    public bool IsQuietAt(DateTimeOffset now) =>
        Quiet is { } quiet && quiet.Contains(TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, FindTimeZone()).DateTime));
}

public static class Platforms
{
    public const string Console = "console";
    public const string Telegram = "telegram";
    public const string DiscordUser = "discord-user";
    public const string DiscordChannel = "discord-channel";
}
