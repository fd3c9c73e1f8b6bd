namespace Alerts.Core.Alerts;

/// <summary>A stretch of alert text, to be set in bold by the renderer when <see cref="IsMatch"/>.</summary>
public readonly record struct TextSegment(string Text, bool IsMatch);

/// <summary>
/// Platform-neutral helpers for alert rendering: finding the matched words in a text and shortening text on a
/// word boundary. Each platform escapes and marks up the segments for itself (HTML for Telegram, markdown for Discord).
/// </summary>
public static class MatchHighlighter
{
    public const string Ellipsis = "…";

    /// <summary>
    /// Splits <paramref name="text"/> into plain and matched segments. A matched word counts only as a whole word
    /// (not inside a longer word), case-insensitively; longer matched words win over shorter ones at the same place.
    /// </summary>
    public static IReadOnlyList<TextSegment> Segment(string text, IReadOnlyList<string> matched)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(matched);
        var hits = new List<(int Start, int Length)>();
        foreach (var word in matched.Where(w => !string.IsNullOrWhiteSpace(w)).Distinct(StringComparer.OrdinalIgnoreCase).OrderByDescending(w => w.Length))
        {
            var from = 0;
            while (from < text.Length)
            {
                var at = text.IndexOf(word, from, StringComparison.OrdinalIgnoreCase);
                if (at < 0)
                {
                    break;
                }

                var end = at + word.Length;
                if (IsBoundary(text, at - 1) && IsBoundary(text, end) && !hits.Exists(h => at < h.Start + h.Length && h.Start < end))
                {
                    hits.Add((at, word.Length));
                }

                from = at + 1;
            }
        }

        hits.Sort((a, b) => a.Start.CompareTo(b.Start));
        var segments = new List<TextSegment>(hits.Count * 2 + 1);
        var pos = 0;
        foreach (var (start, length) in hits)
        {
            if (start > pos)
            {
                segments.Add(new TextSegment(text[pos..start], false));
            }

            segments.Add(new TextSegment(text.Substring(start, length), true));
            pos = start + length;
        }

        if (pos < text.Length)
        {
            segments.Add(new TextSegment(text[pos..], false));
        }

        return segments;
    }

    /// <summary>
    /// Shortens <paramref name="text"/> to at most <paramref name="maxLength"/> characters including the ellipsis,
    /// cutting at the last whitespace before the limit (or hard, when one word is longer than the whole budget),
    /// never inside a surrogate pair.
    /// </summary>
    public static string Shorten(string text, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        if (text.Length <= maxLength)
        {
            return text;
        }

        if (maxLength <= Ellipsis.Length)
        {
            return Ellipsis[..maxLength];
        }

        var budget = maxLength - Ellipsis.Length;
        var cut = budget;
        var space = text.LastIndexOfAny([' ', '\n', '\t', '\r'], budget);
        if (space > budget / 2)
        {
            cut = space;
        }
        else if (char.IsLowSurrogate(text[cut]) && cut > 0)
        {
            cut--;
        }

        return text[..cut].TrimEnd() + Ellipsis;
    }

    private static bool IsBoundary(string text, int index) =>
        index < 0 || index >= text.Length || !char.IsLetterOrDigit(text[index]);
}
