using Alerts.Core.Subscriptions;

namespace Alerts.Core.Matching;

/// <summary>Folds matching subscriptions into one <see cref="SubscriberMatch"/> per subscriber (SPEC §4).</summary>
internal sealed class MatchAccumulator(AnalyzedItem item)
{
    private readonly Dictionary<string, Entry> _bySubscriber = new(StringComparer.Ordinal);
    private readonly List<Hit> _scratch = [];

    private sealed class Entry
    {
        public readonly List<long> Ids = [];
        public readonly List<Hit> Hits = [];
        public string Query = "";
        public long FirstId = long.MaxValue;
    }

    /// <summary>Records subscriptions that share one compiled query, collecting its matched words once.</summary>
    public void Add(CompiledQuery query, Subscription first, List<Subscription>? more)
    {
        _scratch.Clear();
        query.CollectHits(item, _scratch);
        AddOne(first);
        if (more is not null)
        {
            foreach (var s in more)
            {
                AddOne(s);
            }
        }
    }

    private void AddOne(Subscription s)
    {
        if (!_bySubscriber.TryGetValue(s.SubscriberId, out var entry))
        {
            entry = new Entry();
            _bySubscriber.Add(s.SubscriberId, entry);
        }

        entry.Ids.Add(s.Id);
        entry.Hits.AddRange(_scratch);
        if (s.Id < entry.FirstId)
        {
            entry.FirstId = s.Id;
            entry.Query = s.Query;
        }
    }

    public IReadOnlyList<SubscriberMatch> Build()
    {
        if (_bySubscriber.Count == 0)
        {
            return [];
        }

        var result = new SubscriberMatch[_bySubscriber.Count];
        var n = 0;
        foreach (var (subscriber, entry) in _bySubscriber)
        {
            entry.Ids.Sort();
            result[n++] = new SubscriberMatch(subscriber, entry.Ids, entry.Query, Words(item, entry.Hits));
        }

        Array.Sort(result, static (a, b) => string.CompareOrdinal(a.SubscriberId, b.SubscriberId));
        return result;
    }

    /// <summary>The matched words as they appear in the item, in order of appearance, each once (case-insensitively).</summary>
    internal static IReadOnlyList<string> Words(AnalyzedItem item, List<Hit> hits)
    {
        if (hits.Count == 0)
        {
            return [];
        }

        hits.Sort(static (a, b) => a.Field != b.Field ? a.Field.CompareTo(b.Field) : a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.Length.CompareTo(a.Length));
        // Hits inside an earlier hit (the part "Nato" of a matched "Nato-Gipfel") are dropped; hits joined by one
        // hyphen (the parts of "F-16") become one word, so that the alert can bold what the reader sees as a word.
        var spans = new List<Hit>(hits.Count);
        foreach (var h in hits)
        {
            if (spans.Count > 0)
            {
                var last = spans[^1];
                var text = h.Field == 0 ? item.Item.Headline : item.Item.Body;
                if (last.Field == h.Field && h.Start + h.Length <= last.Start + last.Length)
                {
                    continue;
                }

                if (last.Field == h.Field && h.Start == last.Start + last.Length + 1 && TextNormalizer.IsHyphen(text[h.Start - 1]))
                {
                    spans[^1] = last with { Length = h.Start + h.Length - last.Start };
                    continue;
                }
            }

            spans.Add(h);
        }

        var words = new List<string>(spans.Count);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var h in spans)
        {
            var text = (h.Field == 0 ? item.Item.Headline : item.Item.Body).Substring(h.Start, h.Length);
            if (seen.Add(text))
            {
                words.Add(text);
            }
        }

        return words;
    }
}
