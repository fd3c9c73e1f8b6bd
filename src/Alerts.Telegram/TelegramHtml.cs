using System.Text;
using Alerts.Core.Alerts;

namespace Alerts.Telegram;

/// <summary>Telegram's HTML parse mode: only &lt;, &gt;, &amp; and &quot; need escaping, and only those named entities exist.</summary>
internal static class TelegramHtml
{
    public static string Escape(string text) => Append(new StringBuilder(text.Length + 16), text).ToString();

    public static StringBuilder Append(StringBuilder sb, string text, int start = 0, int length = -1)
    {
        var end = length < 0 ? text.Length : start + length;
        for (var i = start; i < end; i++)
        {
            var c = text[i];
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
    public static StringBuilder AppendWithBold(StringBuilder sb, string text, IReadOnlyList<TextSpan> bold)
    {
        var at = 0;
        foreach (var span in bold)
        {
            if (span.Start < at || span.End > text.Length)
            {
                continue;
            }

            Append(sb, text, at, span.Start - at);
            sb.Append("<b>");
            Append(sb, text, span.Start, span.Length);
            sb.Append("</b>");
            at = span.End;
        }

        return Append(sb, text, at, text.Length - at);
    }

    /// <summary>Only absolute http(s) links go into an href; anything else (javascript:, relative) is dropped.</summary>
    public static bool IsSafeLink(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";
}
