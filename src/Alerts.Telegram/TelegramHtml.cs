using System.Text;
using Alerts.Core.Alerts;

namespace Alerts.Telegram;

/// <summary>Telegram's HTML parse mode: only &lt;, &gt;, &amp; and &quot; need escaping, and only those named entities exist.</summary>
internal static class TelegramHtml
{
    public const char MentionBreak = '\u2060';

    public static string Escape(string text) => Append(new StringBuilder(text.Length + 16), text).ToString();

    /// <summary>
    /// Telegram turns <c>@name</c> in any text into a mention (and pings that user in a group). With
    /// <paramref name="noMentions"/> a WORD JOINER (U+2060, invisible, not a letter) goes after every <c>@</c> that
    /// precedes a name character, so text from a ticker never mentions anyone.
    /// </summary>
    public static StringBuilder Append(StringBuilder sb, string text, int start = 0, int length = -1, bool noMentions = false)
    {
        var end = length < 0 ? text.Length : start + length;
        for (var i = start; i < end; i++)
        {
            var c = text[i];
            if (noMentions && c == '@' && i + 1 < text.Length && (char.IsLetterOrDigit(text[i + 1]) || text[i + 1] == '_'))
            {
                sb.Append('@').Append(MentionBreak);
                continue;
            }

            _ = c switch
            {
                '<' => sb.Append("&lt;"),
                '>' => sb.Append("&gt;"),
                '&' => sb.Append("&amp;"),
                '"' => sb.Append("&quot;"),
                _ => sb.Append(c),
            };
        }

        return sb;
    }

    /// <summary>Escapes <paramref name="text"/> and wraps each span in &lt;b&gt;; spans must be sorted and non-overlapping.</summary>
    public static StringBuilder AppendWithBold(StringBuilder sb, string text, IReadOnlyList<TextSpan> bold, bool noMentions = false)
    {
        var at = 0;
        foreach (var span in bold)
        {
            if (span.Start < at || span.End > text.Length)
            {
                continue;
            }

            Append(sb, text, at, span.Start - at, noMentions);
            sb.Append("<b>");
            Append(sb, text, span.Start, span.Length, noMentions);
            sb.Append("</b>");
            at = span.End;
        }

        return Append(sb, text, at, text.Length - at, noMentions);
    }

    /// <summary>Only absolute http(s) links go into an href; anything else (javascript:, relative) is dropped.</summary>
    public static bool IsSafeLink(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";
}
