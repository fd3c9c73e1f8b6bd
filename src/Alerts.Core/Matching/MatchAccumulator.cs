using System.Runtime.InteropServices;

namespace Alerts.Core.Matching;

/// <summary>One matching subscription as the accumulator sees it: its id and its subscriber as a dense number.</summary>
internal readonly record struct Member(long Id, int Subscriber);

/// <summary>
/// Folds matching subscriptions into one <see cref="SubscriberMatch"/> per subscriber (SPEC §4). The matched words
/// of a query are computed once and shared by every subscriber whose only match it is (the common case).
/// Subscribers arrive as dense numbers (interned when subscriptions are added), so de-duplicating them is an array
/// look-up stamped with a per-match generation rather than a string-keyed dictionary.
/// </summary>
internal sealed class MatchAccumulator
{
    // Scratch space per thread, reused by the next match on that thread: a match with thousands of subscribers then
    // allocates nothing besides the result itself.
    [ThreadStatic]
    private static Scratch? t_scratch;

    private readonly AnalyzedItem item;
    private readonly IReadOnlyList<string?> subscriberNames;
    private Scratch? scratch;

    /// <param name="subscriberNames">Subscriber ids by dense number; every <see cref="Member.Subscriber"/> is below its count.</param>
    public MatchAccumulator(AnalyzedItem item, IReadOnlyList<string?> subscriberNames)
    {
        this.item = item;
        this.subscriberNames = subscriberNames;
    }

    private sealed class Scratch
    {
        // Per subscriber number: the generation of the match that last saw it and its entry there, side by side so that
        // a subscriber costs one cache miss, not two.
        public Seen[] Stamp = [];
        public int Generation;
        public Entry[] Entries = new Entry[64];
        public int EntryCount;
        public QueryHits[] Queries = new QueryHits[16];
        public int QueryCount;
        public readonly List<Hit> Hits = new(64);
        public readonly List<Hit> Merge = new(16);

        public void Begin(int subscribers)
        {
            if (Stamp.Length < subscribers)
            {
                var size = Math.Max(subscribers, Stamp.Length * 2);
                Stamp = new Seen[size];
                Generation = 0;
            }
            else if (Generation == int.MaxValue)
            {
                Array.Clear(Stamp);
                Generation = 0;
            }

            Generation++;
        }
    }

    private struct Seen
    {
        public int Generation;
        public int Slot;
    }

    /// <summary>Where one matched query's hits sit in the shared hit list, and its words once computed.</summary>
    private struct QueryHits
    {
        public int Start;
        public int Count;
        public IReadOnlyList<string>? Words;
    }

    private struct Entry
    {
        public int Subscriber;
        public long LowestId;
        public string Query;
        public int Hits;
        public List<long>? MoreIds;
        public List<int>? MoreHits;
    }

    private Scratch Begin()
    {
        if (scratch is null)
        {
            scratch = t_scratch ?? new Scratch();
            t_scratch = null;
            scratch.Begin(subscriberNames.Count);
        }

        return scratch;
    }

    /// <summary>Records the matching subscriptions of one compiled query (all with the query text <paramref name="queryText"/>), collecting its hits once.</summary>
    public void Add(CompiledQuery query, string queryText, ReadOnlySpan<Member> members)
    {
        var scratch = Begin();
        var start = scratch.Hits.Count;
        query.CollectHits(item, scratch.Hits);
        if (scratch.QueryCount == scratch.Queries.Length)
        {
            Array.Resize(ref scratch.Queries, scratch.QueryCount * 2);
        }

        var q = scratch.QueryCount++;
        scratch.Queries[q] = new QueryHits { Start = start, Count = scratch.Hits.Count - start };
        foreach (var m in members)
        {
            AddOne(scratch, m, queryText, q);
        }
    }

    private static void AddOne(Scratch scratch, Member m, string queryText, int q)
    {
        ref var seen = ref scratch.Stamp[m.Subscriber];
        if (seen.Generation != scratch.Generation)
        {
            seen.Generation = scratch.Generation;
            if (scratch.EntryCount == scratch.Entries.Length)
            {
                Array.Resize(ref scratch.Entries, scratch.EntryCount * 2);
            }

            seen.Slot = scratch.EntryCount;
            scratch.Entries[scratch.EntryCount++] = new Entry { Subscriber = m.Subscriber, LowestId = m.Id, Query = queryText, Hits = q };
            return;
        }

        ref var entry = ref scratch.Entries[seen.Slot];
        if (m.Id < entry.LowestId)
        {
            (entry.MoreIds ??= []).Add(entry.LowestId);
            entry.LowestId = m.Id;
            entry.Query = queryText;
        }
        else
        {
            (entry.MoreIds ??= []).Add(m.Id);
        }

        if (entry.Hits != q && !(entry.MoreHits?.Contains(q) ?? false))
        {
            (entry.MoreHits ??= []).Add(q);
        }
    }

    /// <summary>One match per subscriber, in the order the subscribers were first seen (callers sort when they need to).</summary>
    public IReadOnlyList<SubscriberMatch> Build()
    {
        var scratch = this.scratch;
        if (scratch is null)
        {
            return [];
        }

        var result = new SubscriberMatch[scratch.EntryCount];
        var hits = CollectionsMarshal.AsSpan(scratch.Hits);
        for (var n = 0; n < scratch.EntryCount; n++)
        {
            ref var entry = ref scratch.Entries[n];
            long[] ids;
            if (entry.MoreIds is null)
            {
                ids = [entry.LowestId];
            }
            else
            {
                ids = new long[entry.MoreIds.Count + 1];
                ids[0] = entry.LowestId;
                entry.MoreIds.CopyTo(ids, 1);
                Array.Sort(ids);
            }

            IReadOnlyList<string> words;
            if (entry.MoreHits is null)
            {
                ref var q = ref scratch.Queries[entry.Hits];
                words = q.Words ??= Words(item, hits.Slice(q.Start, q.Count));
            }
            else
            {
                // Several queries of one subscriber matched: the union of their hits, in text order.
                var merge = scratch.Merge;
                merge.Clear();
                merge.AddRange(Range(scratch, entry.Hits));
                foreach (var h in entry.MoreHits)
                {
                    merge.AddRange(Range(scratch, h));
                }

                words = Words(item, CollectionsMarshal.AsSpan(merge));
            }

            result[n] = new SubscriberMatch(subscriberNames[entry.Subscriber]!, ids, entry.Query, words);
        }

        // Hand the scratch space back for the next item on this thread (without references into this match), unless
        // one huge match made it too big to keep.
        Array.Clear(scratch.Entries, 0, scratch.EntryCount);
        Array.Clear(scratch.Queries, 0, scratch.QueryCount);
        scratch.EntryCount = 0;
        scratch.QueryCount = 0;
        scratch.Hits.Clear();
        scratch.Merge.Clear();
        this.scratch = null;
        if (scratch.Entries.Length <= 100_000 && scratch.Hits.Capacity <= 100_000)
        {
            t_scratch = scratch;
        }

        return result;
    }

    private static ReadOnlySpan<Hit> Range(Scratch scratch, int q)
    {
        var r = scratch.Queries[q];
        return CollectionsMarshal.AsSpan(scratch.Hits).Slice(r.Start, r.Count);
    }

    /// <summary>The matched words as they appear in the item, in order of appearance, each once (case-insensitively). Sorts <paramref name="hits"/> in place.</summary>
    internal static IReadOnlyList<string> Words(AnalyzedItem item, Span<Hit> hits)
    {
        if (hits.Length == 0)
        {
            return [];
        }

        if (hits.Length == 1)
        {
            return [TextOf(item, hits[0])];
        }

        hits.Sort(static (a, b) => a.Field != b.Field ? a.Field.CompareTo(b.Field) : a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.Length.CompareTo(a.Length));

        // Hits inside an earlier hit (the part "Nato" of a matched "Nato-Gipfel") are dropped; hits joined by one
        // hyphen (the parts of "F-16") become one word, so that the alert can bold what the reader sees as a word.
        var spans = new List<Hit>(hits.Length);
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
