using System.Runtime.InteropServices;
using Alerts.Core.Subscriptions;

namespace Alerts.Core.Matching;

/// <summary>
/// Folds matching subscriptions into one <see cref="SubscriberMatch"/> per subscriber (SPEC §4). The matched words
/// of a query are computed once and shared by every subscriber whose only match it is (the common case).
/// </summary>
internal sealed class MatchAccumulator(AnalyzedItem item)
{
    // One dictionary per thread, cleared after use: a match with thousands of subscribers then costs no rehashing
    // and no per-subscriber allocation besides the result itself.
    [ThreadStatic]
    private static Dictionary<string, Entry>? t_spare;

    private Dictionary<string, Entry>? _bySubscriber;

    private sealed class QueryHits(List<Hit> hits)
    {
        private IReadOnlyList<string>? _words;

        public List<Hit> Hits { get; } = hits;

        public IReadOnlyList<string> Words(AnalyzedItem item) => _words ??= MatchAccumulator.Words(item, Hits);
    }

    private struct Entry
    {
        public Subscription First;
        public QueryHits Hits;
        public List<Subscription>? More;
        public List<QueryHits>? MoreHits;
    }

    /// <summary>
    /// Records subscriptions that share one compiled query, collecting its matched words once:
    /// <paramref name="all"/> when there are several, else just <paramref name="first"/>.
    /// </summary>
    public void Add(CompiledQuery query, Subscription first, List<Subscription>? all)
    {
        if (_bySubscriber is null)
        {
            _bySubscriber = t_spare ?? new Dictionary<string, Entry>(StringComparer.Ordinal);
            t_spare = null;
        }

        var hits = new List<Hit>(4);
        query.CollectHits(item, hits);
        var shared = new QueryHits(hits);
        if (all is null)
        {
            AddOne(first, shared);
            return;
        }

        foreach (var s in all)
        {
            AddOne(s, shared);
        }
    }

    private void AddOne(Subscription s, QueryHits hits)
    {
        ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_bySubscriber!, s.SubscriberId, out var exists);
        if (!exists)
        {
            entry.First = s;
            entry.Hits = hits;
            return;
        }

        (entry.More ??= []).Add(s);
        if (!ReferenceEquals(entry.Hits, hits) && !(entry.MoreHits?.Contains(hits) ?? false))
        {
            (entry.MoreHits ??= []).Add(hits);
        }

        if (s.Id < entry.First.Id)
        {
            entry.More.Add(entry.First);
            entry.More.Remove(s);
            entry.First = s;
        }
    }

    /// <summary>One match per subscriber, in the order the subscribers were first seen (callers sort when they need to).</summary>
    public IReadOnlyList<SubscriberMatch> Build()
    {
        var bySubscriber = _bySubscriber;
        if (bySubscriber is null || bySubscriber.Count == 0)
        {
            return [];
        }

        var result = new SubscriberMatch[bySubscriber.Count];
        var n = 0;
        foreach (var (subscriber, entry) in bySubscriber)
        {
            long[] ids;
            if (entry.More is null)
            {
                ids = [entry.First.Id];
            }
            else
            {
                ids = new long[entry.More.Count + 1];
                ids[0] = entry.First.Id;
                for (var i = 0; i < entry.More.Count; i++)
                {
                    ids[i + 1] = entry.More[i].Id;
                }

                Array.Sort(ids);
            }

            IReadOnlyList<string> words;
            if (entry.MoreHits is null)
            {
                words = entry.Hits.Words(item);
            }
            else
            {
                var all = new List<Hit>(entry.Hits.Hits);
                foreach (var h in entry.MoreHits)
                {
                    all.AddRange(h.Hits);
                }

                words = Words(item, all);
            }

            result[n++] = new SubscriberMatch(subscriber, ids, entry.First.Query, words);
        }

        // Hand the dictionary back for the next item on this thread, unless one huge match made it too big to keep.
        bySubscriber.Clear();
        _bySubscriber = null;
        if (bySubscriber.EnsureCapacity(0) <= 100_000)
        {
            t_spare = bySubscriber;
        }

        return result;
    }

    /// <summary>The matched words as they appear in the item, in order of appearance, each once (case-insensitively).</summary>
    internal static IReadOnlyList<string> Words(AnalyzedItem item, List<Hit> hits)
    {
        if (hits.Count == 0)
        {
            return [];
        }

        if (hits.Count == 1)
        {
            return [TextOf(item, hits[0])];
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
                    spans[^1] = last with { Length = h.Start + h.Length - last.Start, Token = -1 };
                    continue;
                }
            }

            spans.Add(h);
        }

        var words = new List<string>(spans.Count);
        foreach (var h in spans)
        {
            var text = TextOf(item, h);
            if (!words.Contains(text, StringComparer.OrdinalIgnoreCase))
            {
                words.Add(text);
            }
        }

        return words;
    }

    private static string TextOf(AnalyzedItem item, Hit h) =>
        h.Token >= 0 ? item.TextOf(h.Token) : (h.Field == 0 ? item.Item.Headline : item.Item.Body).Substring(h.Start, h.Length);
}
