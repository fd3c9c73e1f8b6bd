using System.Text;
using Alerts.Core.Alerts;

namespace Alerts.Discord.Rendering;

/// <summary>Discord markdown for text that did not come from us (ticker items, echoed queries).</summary>
public static class DiscordMarkdown
{
    /// <summary>Characters with an inline meaning anywhere: emphasis, code, spoilers, masked links, mentions and emoji tags.</summary>
    private const string InlineSpecials = "\\*_~`|[]()<>";

    /// <summary>Characters with a meaning only at the start of a line: headings, lists, quotes, subtext.</summary>
    private const string LineStartSpecials = "#->+";

    /// <summary>
    /// Backslash-escapes markdown so that the text shows exactly as written. Discord drops a backslash before any
    /// punctuation, so escaping is always safe. Mentions in the text stay harmless anyway: every message carries
    /// <c>allowed_mentions: {"parse": []}</c>.
    /// </summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new StringBuilder(text.Length + 8);
        var lineStart = true;
        foreach (var c in text)
        {
            if (InlineSpecials.Contains(c, StringComparison.Ordinal) || (lineStart && LineStartSpecials.Contains(c, StringComparison.Ordinal)))
            {
                sb.Append('\\');
            }

            sb.Append(c);
            if (c == '\n')
            {
                lineStart = true;
            }
            else if (c is not (' ' or '\t'))
            {
                lineStart = false;
            }
        }

        return sb.ToString();
    }

    /// <summary>Escapes <paramref name="segments"/> and sets the matched ones in bold.</summary>
    public static string Render(IEnumerable<TextSegment> segments)
    {
        var sb = new StringBuilder();
        foreach (var segment in segments)
        {
            var escaped = Escape(segment.Text);
            if (segment.IsMatch)
            {
                sb.Append("**").Append(escaped).Append("**");
            }
            else
            {
                sb.Append(escaped);
            }
        }

        return sb.ToString();
    }
}
