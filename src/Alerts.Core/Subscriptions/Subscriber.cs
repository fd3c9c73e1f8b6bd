namespace Alerts.Core.Subscriptions;

/// <summary>
/// Who receives alerts: one Telegram chat, one Discord user (by DM) or one Discord channel.
/// <see cref="Id"/> is "{Platform}:{Address}" (for example <c>telegram:-1001234</c>,
/// <c>discord-user:80351110224678912</c>, <c>discord-channel:41771983423143937</c>, <c>console:demo</c>).
/// </summary>
public sealed record Subscriber(
    string Id,
    string Platform,
    string Address,
    bool IsGroup = false,
    bool Paused = false,
    bool Active = true,
    string TimeZone = "Europe/Berlin",
    string? DeactivatedReason = null)
{
    public static string MakeId(string platform, string address) => $"{platform}:{address}";
}

public static class Platforms
{
    public const string Console = "console";
    public const string Telegram = "telegram";
    public const string DiscordUser = "discord-user";
    public const string DiscordChannel = "discord-channel";
}
