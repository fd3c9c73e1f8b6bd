using System.Text.Json;

namespace Alerts.Core.Matching;

/// <summary>
/// Names that mean the same (<c>config/aliases.json</c>: <c>{"aliases": [["Selenskyj", "Zelensky", …], …]}</c>).
/// Every spelling of a group maps to one canonical key, applied to query words and item words alike,
/// so a word of a group matches every spelling of the group.
/// </summary>
public sealed class AliasTable
{
    public static AliasTable Empty { get; } = new([]);

    private readonly Dictionary<string, string> canonical = new(StringComparer.Ordinal);

    public AliasTable(IEnumerable<IReadOnlyList<string>> groups)
    {
        var list = new List<IReadOnlyList<string>>();
        foreach (var group in groups)
        {
            var spellings = group.Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s.Trim()).ToList();
            if (spellings.Count == 0)
            {
                continue;
            }

            list.Add(spellings);

            // The canonical key is a form no ordinary word produces, so a group never swallows an unrelated word.
            var canonical = "\u0001" + TextNormalizer.Stem(TextNormalizer.FoldSegment(spellings[0]));
            foreach (var spelling in spellings)
            {
                var folded = TextNormalizer.FoldSegment(spelling);
                this.canonical.TryAdd(folded, canonical);
                this.canonical.TryAdd(TextNormalizer.Stem(folded), canonical);
            }
        }

        Groups = list;
    }

    public IReadOnlyList<IReadOnlyList<string>> Groups { get; }

    /// <summary>The group's key for a word (by its folded form, its stem, or without a genitive -s), or null.</summary>
    public string? Canonical(string folded, string stem)
    {
        if (canonical.Count == 0)
        {
            return null;
        }

        if (canonical.TryGetValue(folded, out var key) || canonical.TryGetValue(stem, out key))
        {
            return key;
        }

        if (folded.Length > 3 && folded[^1] == 's' && canonical.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(folded.AsSpan(0, folded.Length - 1), out key))
        {
            return key;
        }

        return null;
    }

    /// <exception cref="FormatException">The file is not an alias file; the message names the problem.</exception>
    public static AliasTable Parse(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("aliases", out var aliases) || aliases.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("alias file needs an object with an \"aliases\" array of arrays of strings");
            }

            var groups = new List<IReadOnlyList<string>>();
            var index = 0;
            foreach (var group in aliases.EnumerateArray())
            {
                if (group.ValueKind != JsonValueKind.Array || group.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
                {
                    throw new FormatException($"aliases[{index}] must be an array of strings");
                }

                groups.Add(group.EnumerateArray().Select(e => e.GetString()!).ToList());
                index++;
            }

            return new AliasTable(groups);
        }
        catch (JsonException e)
        {
            throw new FormatException($"alias file is not valid JSON: {e.Message}", e);
        }
    }

    public static AliasTable Load(string path) => Parse(File.ReadAllText(path));
}
