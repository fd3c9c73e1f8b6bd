using System.Globalization;
using System.Text;
using Alerts.Core.Alerts;
using Alerts.Core.Delivery;

namespace Alerts.Telegram;

/// <summary>
/// Renders an alert as Telegram HTML (SPEC §4):
/// <code>
/// &lt;b&gt;Headline&lt;/b&gt;
///
/// Body with &lt;b&gt;matched&lt;/b&gt; words …
///
/// 🔎 matched, words
/// 🕒 15:29 · 01.12.2025 · Source name
/// &lt;a href="…"&gt;Eintrag öffnen / open entry&lt;/a&gt;
/// </code>
/// Length: Telegram limits a message to 4096 characters counted in UTF-16 code units of the text after entity
/// parsing (tags removed, &amp;lt; counted as one). Every part is measured as plain text before it is escaped and
/// tagged, so markup never counts; the body alone is shortened, on a word boundary, before any tag is added, so no
/// tag or entity can be cut. The visible text is kept at or below <see cref="SafeLength"/> (4000), well below 4096.
/// </summary>
internal static class TelegramAlertRenderer
{
    public const int TelegramLimit = 4096;

    public const int SafeLength = 4000;

    private const int MaxHeadline = 512;

    private const int MaxSourceName = 128;

    private const string Ellipsis = "…";

    private const string LinkText = "Eintrag öffnen / open entry";

    public static string Render(OutboxAlert alert, AlertContext context)
    {
        var headline = Shorten(Normalize(alert.Headline).Replace('\n', ' '), MaxHeadline);
        var matched = alert.Matched.Where(m => !string.IsNullOrWhiteSpace(m)).Select(m => m.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var matchedLine = matched.Count == 0 ? null : Shorten("🔎 " + string.Join(", ", matched), 300);
        var local = TimeZoneInfo.ConvertTime(alert.Published, context.TimeZone);
        var source = Shorten(Normalize(context.SourceName).Replace('\n', ' '), MaxSourceName);
        var timeLine = $"🕒 {local.ToString("HH:mm · dd.MM.yyyy", CultureInfo.InvariantCulture)} · {source}";
        var link = TelegramHtml.IsSafeLink(alert.Url) ? alert.Url : null;

        // Visible length of everything but the body, separators included.
        var fixedLength = headline.Length + 2 /* blank line */ + 2 /* blank line after body */
            + (matchedLine is null ? 0 : matchedLine.Length + 1)
            + timeLine.Length
            + (link is null ? 0 : 1 + LinkText.Length);
        var body = Shorten(Normalize(alert.Body), Math.Max(0, SafeLength - fixedLength));

        var sb = new StringBuilder(SafeLength + 512);
        sb.Append("<b>");
        TelegramHtml.Append(sb, headline);
        sb.Append("</b>\n\n");
        if (body.Length > 0)
        {
            TelegramHtml.AppendWithBold(sb, body, MatchHighlighter.FindSpans(body, matched));
            sb.Append("\n\n");
        }

        if (matchedLine is not null)
        {
            TelegramHtml.Append(sb, matchedLine).Append('\n');
        }

        TelegramHtml.Append(sb, timeLine);
        if (link is not null)
        {
            sb.Append("\n<a href=\"");
            TelegramHtml.Append(sb, link);
            sb.Append("\">").Append(LinkText).Append("</a>");
        }

        return sb.ToString();
    }

    /// <summary>Unifies line ends, trims, and keeps at most one blank line between paragraphs.</summary>
    internal static string Normalize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "";
        }

        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');
        var sb = new StringBuilder(text.Length);
        var blank = 0;
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0)
            {
                blank++;
                continue;
            }

            if (sb.Length > 0)
            {
                sb.Append(blank > 0 ? "\n\n" : "\n");
            }

            sb.Append(line);
            blank = 0;
        }

        return sb.ToString();
    }

    /// <summary>
    /// At most <paramref name="max"/> UTF-16 code units, cut at the last whitespace that keeps at least half of the
    /// budget (else at the budget, never between the halves of a surrogate pair), with an ellipsis appended.
    /// </summary>
    internal static string Shorten(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        if (max <= Ellipsis.Length)
        {
            return "";
        }

        var limit = max - Ellipsis.Length;
        var cut = -1;
        for (var i = limit; i > limit / 2; i--)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                cut = i;
                break;
            }
        }

        if (cut < 0)
        {
            cut = limit;
            if (char.IsLowSurrogate(text[cut]) && cut > 0)
            {
                cut--;
            }
        }

        return text[..cut].TrimEnd() + Ellipsis;
    }
}
