using System.Globalization;
using System.Text;
using Alerts.Core.Delivery;

namespace Alerts.Telegram;

/// <summary>
/// Several waiting alerts of one chat as one message (SPEC §4: a backlog the chat's own limit held back), oldest
/// first, each with its headline, time and link:
/// <code>
/// &lt;b&gt;Headline&lt;/b&gt;
/// 🕒 15:29 · 01.12.2025 (Europe/Berlin) · Source name · &lt;a href="…"&gt;🔗&lt;/a&gt;
/// </code>
/// Kept apart from <see cref="TelegramAlertRenderer"/> (the single alert's layout) on purpose: at most
/// <see cref="MaxAlerts"/> entries with headlines of at most <see cref="MaxHeadline"/> characters always stay within
/// <see cref="TelegramAlertRenderer.SafeLength"/>, so nothing here has to be measured or cut afterwards. Language-free
/// (symbols, no words), so it reads the same in every chat.
/// </summary>
internal static class TelegramBacklogRenderer
{
    /// <summary>Alerts per combined message.</summary>
    public const int MaxAlerts = 10;

    private const int MaxHeadline = 256;

    private const int MaxSourceName = 60;

    public static string Render(IReadOnlyList<OutboxAlert> alerts, AlertContext context)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(alerts.Count, MaxAlerts);
        var source = TelegramAlertRenderer.Shorten(TelegramAlertRenderer.Normalize(context.SourceName).Replace('\n', ' '), MaxSourceName);
        var sb = new StringBuilder(MaxAlerts * 512);
        foreach (var alert in alerts)
        {
            if (sb.Length > 0)
            {
                sb.Append("\n\n");
            }

            var headline = TelegramAlertRenderer.Shorten(TelegramAlertRenderer.Normalize(alert.Headline).Replace('\n', ' '), MaxHeadline);
            var local = TimeZoneInfo.ConvertTime(alert.Published, context.TimeZone);
            sb.Append("<b>");
            TelegramHtml.Append(sb, headline);
            sb.Append("</b>\n🕒 ").Append(local.ToString("HH:mm · dd.MM.yyyy", CultureInfo.InvariantCulture)).Append(" (");
            TelegramHtml.Append(sb, context.TimeZone.Id);
            sb.Append(") · ");
            TelegramHtml.Append(sb, source);
            if (TelegramHtml.IsSafeLink(alert.Url))
            {
                sb.Append(" · <a href=\"");
                TelegramHtml.Append(sb, alert.Url!);
                sb.Append("\">🔗</a>");
            }
        }

        return sb.ToString();
    }
}
