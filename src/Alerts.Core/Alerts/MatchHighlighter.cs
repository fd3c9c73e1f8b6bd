namespace Alerts.Core.Alerts;

/// <summary>A stretch of alert text, to be set in bold by the renderer when <see cref="IsMatch"/>.</summary>
public readonly record struct TextSegment(string Text, bool IsMatch);

/// <summary>A run of text to emphasise: <see cref="Start"/> and <see cref="Length"/> in UTF-16 code units.</summary>
public readonly record struct TextSpan(int Start, int Length)
{
    public int End => Start + Length;
}

/// <summary>
/// Platform-neutral helpers for alert rendering: finding where the matched words of an alert occur in a text,
/// and shortening text on a word boundary. Each platform escapes and marks up for itself (HTML for Telegram,
/// markdown for Discord); no markup is produced here.
/// </summary>
public static class MatchHighlighter
{
    public const string Ellipsis = "…";

    /// <summary>
    /// Every occurrence of any of <paramref name="words"/> in <paramref name="text"/>, case-insensitively and only as
    /// whole words (an occurrence glued to a letter or digit on either side is skipped, so <c>Nato</c> is not bold
    /// inside <c>Natorium</c>; hyphens and punctuation count as boundaries). Overlapping or touching spans are merged;
    /// the result is sorted and non-overlapping.
    /// </summary>
    public static IReadOnlyList<TextSpan> FindSpans(string text, IEnumerable<string>? words)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (words is null || text.Length == 0)
        {
            return [];
        }

        var spans = new List<TextSpan>();
        foreach (var word in words)
        {
            var needle = word?.Trim();
            if (string.IsNullOrEmpty(needle))
            {
                continue;
            }

            var from = 0;
            while (from <= text.Length - needle.Length)
            {
                var at = text.IndexOf(needle, from, StringComparison.OrdinalIgnoreCase);
                if (at < 0)
                {
                    break;
                }

                var end = at + needle.Length;
                if (IsBoundary(text, at - 1) && IsBoundary(text, end))
                {
                    spans.Add(new TextSpan(at, needle.Length));
                }

                from = at + 1;
            }
        }

        return Merge(spans);
    }

    /// <summary>Splits <paramref name="text"/> into plain and matched segments, using the spans of <see cref="FindSpans"/>.</summary>
    public static IReadOnlyList<TextSegment> Segment(string text, IReadOnlyList<string> matched)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(matched);
        var spans = FindSpans(text, matched);
        var segments = new List<TextSegment>(spans.Count * 2 + 1);
        var pos = 0;
        foreach (var span in spans)
        {
            if (span.Start > pos)
            {
                segments.Add(new TextSegment(text[pos..span.Start], false));
            }

            segments.Add(new TextSegment(text.Substring(span.Start, span.Length), true));
            pos = span.End;
        }

        if (pos < text.Length)
        {
            segments.Add(new TextSegment(text[pos..], false));
        }

        return segments;
    }

    /// <summary>
    /// Shortens <paramref name="text"/> to at most <paramref name="maxLength"/> characters including the ellipsis,
    /// cutting at the last whitespace before the limit (or hard, when one word is longer than half the budget),
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
        index < 0 || index >= text.Length || !char.IsLetterOrDigit(text[index]) && text[index] != '\u00AD';

    private static List<TextSpan> Merge(List<TextSpan> spans)
    {
        if (spans.Count <= 1)
        {
            return spans;
        }

        spans.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.Length.CompareTo(a.Length));
        var merged = new List<TextSpan>(spans.Count) { spans[0] };
        for (var i = 1; i < spans.Count; i++)
        {
            var last = merged[^1];
            var current = spans[i];
            if (current.Start <= last.End)
            {
                merged[^1] = new TextSpan(last.Start, Math.Max(last.End, current.End) - last.Start);
            }
            else
            {
                merged.Add(current);
            }
        }

        return merged;
    }
}
