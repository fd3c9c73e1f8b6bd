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
            messages.Add(TelegramHtml.AppendWithBold(sb, chunk, EmphasisSpans(chunk, reply.Emphasis)).ToString());
        }

        return messages;
    }

    private static IReadOnlyList<TextSpan> EmphasisSpans(string text, IReadOnlyList<string>? emphasis)
    {
        if (emphasis is null || emphasis.Count == 0)
        {
            return [];
        }

        // Emphasis is exact substrings (a query as understood, a list number): no word-boundary rule here.
        var spans = new List<TextSpan>();
        foreach (var part in emphasis.Where(e => !string.IsNullOrEmpty(e)))
        {
            for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
            {
                if (!spans.Any(s => at < s.End && s.Start < at + part.Length))
                {
                    spans.Add(new TextSpan(at, part.Length));
                }
            }
        }

        spans.Sort((a, b) => a.Start.CompareTo(b.Start));
        return spans;
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
