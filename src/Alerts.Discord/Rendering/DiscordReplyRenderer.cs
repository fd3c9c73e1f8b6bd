using System.Text;
using Alerts.Core.Subscriptions;
using Alerts.Discord.Rest;

namespace Alerts.Discord.Rendering;

/// <summary>Command replies in Discord markdown: the text escaped (it echoes user input), <see cref="CommandReply.Emphasis"/> in bold.</summary>
public static class DiscordReplyRenderer
{
    /// <summary>Discord's limit for the content of an interaction reply or follow-up.</summary>
    public const int ContentLimit = 2000;

    /// <summary>Renders the reply and splits it into messages of at most <see cref="ContentLimit"/> characters, between lines where possible.</summary>
    public static IReadOnlyList<string> Render(CommandReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var emphasis = reply.Emphasis ?? [];
        var chunks = new List<string>();
        var current = new StringBuilder();
        foreach (var line in reply.Text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            foreach (var piece in RenderLine(line, emphasis))
            {
                if (current.Length > 0 && current.Length + 1 + piece.Length > ContentLimit)
                {
                    chunks.Add(current.ToString());
                    current.Clear();
                }

                if (current.Length > 0)
                {
                    current.Append('\n');
                }

                current.Append(piece);
            }
        }

        if (!string.IsNullOrEmpty(reply.Preformatted))
        {
            // A query with a caret under the error: a code block keeps the caret under its character.
            var block = "```\n" + reply.Preformatted.Replace("```", "` ` `", StringComparison.Ordinal) + "\n```";
            if (block.Length <= ContentLimit)
            {
                if (current.Length > 0 && current.Length + 1 + block.Length > ContentLimit)
                {
                    chunks.Add(current.ToString());
                    current.Clear();
                }

                current.Append(current.Length > 0 ? "\n" : "").Append(block);
            }
        }

        if (current.Length > 0 || chunks.Count == 0)
        {
            chunks.Add(current.Length > 0 ? current.ToString() : "\u200b");
        }

        return chunks;
    }

    /// <summary>Platform-neutral buttons as Discord action rows (at most 5 rows of 5 buttons, labels of at most 80 characters).</summary>
    public static IReadOnlyList<DiscordActionRow>? Components(IReadOnlyList<IReadOnlyList<ChatButton>>? rows) =>
        rows is null || rows.All(r => r.Count == 0)
            ? null
            : rows.Where(r => r.Count > 0).Take(5)
                .Select(r => new DiscordActionRow(r.Take(5).Select(b => new DiscordButton(b.Label.Length <= 80 ? b.Label : b.Label[..79] + "…", b.Action.Encode())).ToList()))
                .ToList();

    /// <summary>The message's rows with the row holding <paramref name="pressed"/> replaced by <paramref name="row"/> (removed when empty).</summary>
    public static IReadOnlyList<DiscordActionRow> ReplaceRow(IReadOnlyList<DiscordActionRow>? current, string pressed, IReadOnlyList<ChatButton> row)
    {
        var rows = (current ?? []).ToList();
        var replacement = Components([row])?[0];
        var at = rows.FindIndex(r => r.Components.Any(b => b.CustomId == pressed));
        if (at < 0)
        {
            if (replacement is not null)
            {
                rows.Add(replacement);
            }
        }
        else if (replacement is null)
        {
            rows.RemoveAt(at);
        }
        else
        {
            rows[at] = replacement;
        }

        return rows;
    }

    /// <summary>One line, or several pieces of it (cut between words) when the line alone would not fit.</summary>
    private static IEnumerable<string> RenderLine(string line, IReadOnlyList<string> emphasis)
    {
        var rest = line;
        while (true)
        {
            var rendered = Bold(rest, emphasis);
            if (rendered.Length <= ContentLimit)
            {
                yield return rendered;
                yield break;
            }

            var budget = ContentLimit;
            int cut;
            while (true)
            {
                cut = Math.Min(budget, rest.Length);
                var space = rest.LastIndexOf(' ', cut - 1);
                if (space > cut / 2)
                {
                    cut = space;
                }
                else if (cut < rest.Length && char.IsLowSurrogate(rest[cut]))
                {
                    cut--;
                }

                rendered = Bold(rest[..cut], emphasis);
                if (rendered.Length <= ContentLimit || cut <= 1)
                {
                    break;
                }

                budget = Math.Max(1, budget - Math.Max(1, rendered.Length - ContentLimit));
            }

            yield return rendered;
            rest = rest[cut..].TrimStart();
            if (rest.Length == 0)
            {
                yield break;
            }
        }
    }

    private static string Bold(string text, IReadOnlyList<string> emphasis)
    {
        if (emphasis.Count == 0)
        {
            return DiscordMarkdown.Escape(text);
        }

        // Emphasis items are substrings (for example the query as understood), not only whole words.
        var marks = new bool[text.Length];
        foreach (var item in emphasis.Where(e => e.Length > 0))
        {
            var at = text.IndexOf(item, StringComparison.Ordinal);
            while (at >= 0)
            {
                Array.Fill(marks, true, at, item.Length);
                at = text.IndexOf(item, at + item.Length, StringComparison.Ordinal);
            }
        }

        var sb = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            var j = i;
            while (j < text.Length && marks[j] == marks[i])
            {
                j++;
            }

            var part = DiscordMarkdown.Escape(text[i..j]);
            sb.Append(marks[i] && part.Trim().Length > 0 ? $"**{part}**" : part);
            i = j;
        }

        return sb.ToString();
    }
}
