using System.Text;
using Alerts.Core.Alerts;
using Alerts.Core.Subscriptions;

namespace Alerts.Telegram;

/// <summary>Renders a <see cref="CommandReply"/> (plain text) as escaped Telegram HTML, split into messages that fit.</summary>
internal static class TelegramReplies
{
    /// <summary>Visible characters per reply message; long lists are split on line boundaries.</summary>
    public const int MaxVisible = TelegramAlertRenderer.SafeLength;

    public static IReadOnlyList<string> Render(CommandReply reply)
    {
        var text = (reply.Success ? "" : "⚠️ ") + TelegramAlertRenderer.Normalize(reply.Text);
        if (text.Length == 0)
        {
            text = "…";
        }

        var messages = new List<string>();
        foreach (var chunk in Split(text, MaxVisible))
        {
            var sb = new StringBuilder(chunk.Length + 64);
            var spans = reply.EmphasisEverywhere ? MatchHighlighter.FindSpans(chunk, reply.Emphasis) : EmphasisSpans(chunk, reply.Emphasis);
            messages.Add(TelegramHtml.AppendWithBold(sb, chunk, spans, noMentions: true).ToString());
        }

        if (!string.IsNullOrEmpty(reply.Preformatted))
        {
            // A query with a caret under the error: monospace, so the caret sits under the right character.
            var pre = TelegramHtml.Append(new StringBuilder("<pre>"), TelegramAlertRenderer.Shorten(reply.Preformatted, 1000)).Append("</pre>").ToString();
            if (messages[^1].Length + pre.Length + 1 < TelegramAlertRenderer.SafeLength)
            {
                messages[^1] += "\n" + pre;
            }
            else
            {
                messages.Add(pre);
            }
        }

        return messages;
    }

    private static IReadOnlyList<TextSpan> EmphasisSpans(string text, IReadOnlyList<string>? emphasis)
    {
        if (emphasis is null || emphasis.Count == 0)
        {
            return [];
        }

        // Emphasis is exact substrings in the order they appear (a query as understood, list entries): each is set
        // in bold once, at its first occurrence after the previous one, so a short part such as "1" does not light up
        // every digit of the reply.
        var spans = new List<TextSpan>();
        var cursor = 0;
        foreach (var part in emphasis.Where(e => !string.IsNullOrEmpty(e)))
        {
            var at = FindFree(text, part, cursor, spans);
            if (at < 0)
            {
                at = FindFree(text, part, 0, spans);
            }

            if (at >= 0)
            {
                spans.Add(new TextSpan(at, part.Length));
                cursor = at + part.Length;
            }
        }

        spans.Sort((a, b) => a.Start.CompareTo(b.Start));
        return spans;
    }

    private static int FindFree(string text, string part, int from, List<TextSpan> taken)
    {
        for (var at = text.IndexOf(part, from, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + 1, StringComparison.Ordinal))
        {
            if (!taken.Any(s => at < s.End && s.Start < at + part.Length))
            {
                return at;
            }
        }

        return -1;
    }

    internal static IEnumerable<string> Split(string text, int max)
    {
        var rest = text;
        while (rest.Length > max)
        {
            var cut = rest.LastIndexOf('\n', max - 1);
            if (cut <= max / 2)
            {
                var shortened = TelegramAlertRenderer.Shorten(rest, max);
                cut = shortened.Length - 1; // without the ellipsis: the remainder continues in the next message
            }

            yield return rest[..cut].TrimEnd();
            rest = rest[cut..].TrimStart();
        }

        if (rest.Length > 0)
        {
            yield return rest;
        }
    }
}
