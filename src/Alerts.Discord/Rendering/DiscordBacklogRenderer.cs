using System.Globalization;
using Alerts.Core.Alerts;
using Alerts.Core.Delivery;
using Alerts.Discord.Rest;

namespace Alerts.Discord.Rendering;

/// <summary>
/// Several waiting alerts of one subscriber as one message (SPEC §4: a backlog its own limit held back): one compact
/// embed per alert, oldest first, with the headline as the linked title, the time and the source. Kept apart from
/// <see cref="DiscordAlertRenderer"/> (the single alert's layout). At most <see cref="MaxAlerts"/> embeds (Discord's
/// per-message maximum) of at most 256 + 2048 characters each, within the 6000 Discord counts over all embeds.
/// </summary>
public static class DiscordBacklogRenderer
{
    /// <summary>Discord allows 10 embeds per message.</summary>
    public const int MaxAlerts = 10;

    private const int MaxFooter = 200;

    public static IReadOnlyList<DiscordEmbed> Render(IReadOnlyList<OutboxAlert> alerts, AlertContext context)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(alerts.Count, MaxAlerts);
        return [.. alerts.Select(alert =>
        {
            var local = TimeZoneInfo.ConvertTime(alert.Published, context.TimeZone);
            var title = DiscordAlertRenderer.Fit(alert.Headline, alert.Matched, DiscordAlertRenderer.TitleLimit);
            var footer = MatchHighlighter.Shorten($"{local.ToString("dd.MM.yyyy HH:mm", CultureInfo.InvariantCulture)} ({context.TimeZone.Id}) · {context.SourceName}", MaxFooter);
            return new DiscordEmbed
            {
                Title = title.Length == 0 ? null : title,
                Url = DiscordAlertRenderer.SafeUrl(alert.Url),
                Timestamp = alert.Published.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                Color = DiscordAlertRenderer.Color,
                Footer = new DiscordEmbedFooter(footer),
            };
        })];
    }
}
