using System.Globalization;
using System.Text;
using Alerts.Core.Alerts;
using Alerts.Core.Delivery;
using Alerts.Core.Subscriptions;

namespace Alerts.Telegram;

/// <summary>
/// Renders an alert as Telegram HTML, in the layout of <see cref="AlertLayout"/> (SPEC §4):
/// <code>
/// &lt;b&gt;Headline&lt;/b&gt;
/// 🕒 01.12.2025 15:29 (Europe/Berlin) · Source name
/// 🔎 Subscription #2: Drohne*
///
/// Body with &lt;b&gt;matched&lt;/b&gt; words …
///
/// &lt;a href="…"&gt;Open entry&lt;/a&gt;
/// </code>
/// Length: Telegram limits a message to 4096 characters counted in UTF-16 code units of the text after entity
/// parsing (tags removed, &amp;lt; counted as one). Every part is measured as plain text before it is escaped and
/// tagged, so markup never counts; the body alone is shortened, on a word boundary, before any tag is added, so no
/// tag or entity can be cut. The visible text is kept at or below <see cref="SafeLength"/> (4000), well below 4096,
/// which also leaves room for the invisible mention breaks (see <see cref="TelegramHtml.Append"/>).
/// </summary>
internal static class TelegramAlertRenderer
{
    public const int TelegramLimit = 4096;

    public const int SafeLength = 4000;

    private const int MaxHeadline = 512;

    private const int MaxSourceName = 128;

    private const int MaxFiredBy = 300;

    private const string Ellipsis = "…";

    /// <summary>An alert as an English, short-format subscriber without a known subscription number sees it.</summary>
    public static string Render(OutboxAlert alert, AlertContext context) => Render(alert, context, ChatTexts.English, 0, longFormat: false);

    public static string Render(OutboxAlert alert, AlertContext context, ChatTexts texts, int number, bool longFormat)
    {
        var normalized = alert with { Headline = Shorten(Normalize(alert.Headline).Replace('\n', ' '), MaxHeadline), Body = Normalize(alert.Body) };
        var probe = AlertLayout.Build(normalized, context with { SourceName = Shorten(Normalize(context.SourceName).Replace('\n', ' '), MaxSourceName) }, texts, number, longFormat, 0);
        var meta = $"🕒 {probe.When} · {probe.Source}";
        var firedBy = Shorten("🔎 " + probe.FiredBy, MaxFiredBy);
        var link = TelegramHtml.IsSafeLink(alert.Url) ? alert.Url : null;

        // Visible length of everything but the body, separators included.
        var fixedLength = probe.Headline.Length + 1 + meta.Length + 1 + firedBy.Length + 2 /* blank line */ + 2 /* blank line after body */
            + (link is null ? 0 : probe.LinkLabel.Length);
        var layout = AlertLayout.Build(normalized, context with { SourceName = probe.Source }, texts, number, longFormat, Math.Max(0, SafeLength - fixedLength));

        var sb = new StringBuilder(SafeLength + 512);
        sb.Append("<b>");
        TelegramHtml.AppendWithBold(sb, layout.Headline, [], noMentions: true);
        sb.Append("</b>\n");
        TelegramHtml.Append(sb, meta, noMentions: true).Append('\n');
        TelegramHtml.Append(sb, firedBy, noMentions: true);
        if (layout.Body.Length > 0)
        {
            sb.Append("\n\n");
            TelegramHtml.AppendWithBold(sb, layout.Body, layout.BodySpans, noMentions: true);
        }

        if (link is not null)
        {
            sb.Append("\n\n<a href=\"");
            TelegramHtml.Append(sb, link);
            sb.Append("\">");
            TelegramHtml.Append(sb, layout.LinkLabel);
            sb.Append("</a>");
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
