using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Alerts.Core.Diagnostics;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tickers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Alerts.Core.Matching;

/// <summary>
/// The matcher index over all active subscriptions (SPEC §3, docs/matching.md).
/// <list type="bullet">
/// <item>Subscriptions with the same query text and source share one compiled query, evaluated once per item.</item>
/// <item>Each query sits in the posting list of an anchor: a word key every match must contain (for an AND the
/// longest word of its best operand, for an OR one anchor per branch), or a folded prefix. Queries without any
/// anchor (only regexes) are evaluated for every item.</item>
/// <item>An item is tokenized once; its distinct keys and the prefixes of its folded words select the candidates.</item>
/// </list>
/// Thread safety: <see cref="Match"/> runs under a shared read lock, so any number run concurrently.
/// <see cref="Add"/> and <see cref="Remove"/> mutate in place under the write lock (microseconds).
/// <see cref="ReplaceAliases"/> builds a complete new index beside the old one, which keeps serving matches,
/// and swaps it in under the write lock. Writers are serialized by a separate gate.
/// </summary>
public sealed partial class MatcherIndex : ISubscriptionMatcher, IDisposable
{
    private readonly ReaderWriterLockSlim stateLock = new(LockRecursionPolicy.NoRecursion);
    private readonly Lock writerGate = new();
    private readonly QueryOptions options;
    private readonly ILogger logger;
    private readonly RepeatedFailureLog regexLog;
    private State state;

    public MatcherIndex(AliasTable? aliases = null, QueryOptions? options = null, ILogger<MatcherIndex>? logger = null, TimeProvider? time = null)
    {
        this.options = options ?? QueryOptions.Default;
        this.logger = (ILogger?)logger ?? NullLogger.Instance;

        // A costly regex meets every new item, and a hostile subscriber can save many: one line per pattern, then one
        // a minute with the count, not a line per item and regex.
        regexLog = new RepeatedFailureLog(TimeSpan.FromMinutes(1), time ?? TimeProvider.System);
        RegexTimeouts.TimedOut += LogRegexTimeout;
        state = new State(new TextNormalizer(aliases ?? AliasTable.Empty));
    }

    /// <summary>Regex terms that ran out of time (each counted as no match).</summary>
    public RegexTimeoutCounter RegexTimeouts { get; } = new();

    public AliasTable Aliases => state.Normalizer.Aliases;

    public int Count
    {
        get
        {
            stateLock.EnterReadLock();
            try
            {
                return state.BySubscription.Count;
            }
            finally
            {
                stateLock.ExitReadLock();
            }
        }
    }

    /// <summary>Number of distinct (query, source) pairs, each evaluated at most once per item.</summary>
    public int DistinctQueries
    {
        get
        {
            stateLock.EnterReadLock();
            try
            {
                return state.GroupCount;
            }
            finally
            {
                stateLock.ExitReadLock();
            }
        }
    }

    public void Add(Subscription subscription) => AddRange([subscription]);

    /// <summary>
    /// Adds or replaces many subscriptions under one lock (start-up, change-feed pages). All queries are parsed first,
    /// so one malformed query throws before anything changes.
    /// </summary>
    public void AddRange(IEnumerable<Subscription> subscriptions)
    {
        var parsed = subscriptions.Select(s => (Subscription: s, Tree: QueryParser.Parse(s.Query, options))).ToList();
        lock (writerGate)
        {
            stateLock.EnterWriteLock();
            try
            {
                state.EnsureCapacity(parsed.Count);
                foreach (var (subscription, tree) in parsed)
                {
                    state.Add(subscription, tree, options, RegexTimeouts);
                }
            }
            finally
            {
                stateLock.ExitWriteLock();
            }
        }
    }

    public void Remove(long subscriptionId)
    {
        lock (writerGate)
        {
            stateLock.EnterWriteLock();
            try
            {
                state.Remove(subscriptionId);
            }
            finally
            {
                stateLock.ExitWriteLock();
            }
        }
    }

    /// <summary>
    /// Recompiles every subscription against a new alias table. The new index is built while the old one keeps
    /// answering <see cref="Match"/>; only the final swap takes the write lock.
    /// </summary>
    public void ReplaceAliases(AliasTable aliases)
    {
        lock (writerGate)
        {
            // Writers are held off by the gate, so reading the current state without the read lock is safe here.
            var old = state;
            var fresh = new State(new TextNormalizer(aliases));
            foreach (var subscription in old.AllSubscriptions().OrderBy(s => s.Id))
            {
                fresh.Add(subscription, QueryParser.Parse(subscription.Query, options), options, RegexTimeouts);
            }

            stateLock.EnterWriteLock();
            try
            {
                state = fresh;
            }
            finally
            {
                stateLock.ExitWriteLock();
            }
        }
    }

    public IReadOnlyList<SubscriberMatch> Match(TickerItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        stateLock.EnterReadLock();
        try
        {
            return state.Match(item, options.ItemBudget);
        }
        finally
        {
            stateLock.ExitReadLock();
        }
    }

    /// <summary>Like <see cref="Match(TickerItem)"/>, also counting the work done (for the benchmark's report).</summary>
    internal IReadOnlyList<SubscriberMatch> Match(TickerItem item, MatchStats stats)
    {
        stateLock.EnterReadLock();
        try
        {
            return state.Match(item, options.ItemBudget, stats);
        }
        finally
        {
            stateLock.ExitReadLock();
        }
    }

    internal sealed class MatchStats
    {
        public int Candidates { get; set; }

        public int MatchedQueries { get; set; }
    }

    public void Dispose() => stateLock.Dispose();

    internal static bool SourceAllows(string? sourceId, TickerItem item) =>
        string.IsNullOrEmpty(sourceId) || string.Equals(sourceId, item.SourceId, StringComparison.OrdinalIgnoreCase);

    private void LogRegexTimeout(string pattern, bool skipped)
    {
        if (!regexLog.ShouldLog((skipped ? "skipped " : "timeout ") + pattern, out var suppressed))
        {
            return;
        }

        if (skipped)
        {
            LogRegexSkipped(logger, pattern, options.ItemBudget.TotalMilliseconds, suppressed);
        }
        else
        {
            LogRegexTimedOut(logger, pattern, options.RegexTimeout.TotalMilliseconds, suppressed);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Regex /{Pattern}/ ran longer than {TimeoutMs} ms on an item and counted as no match ({Suppressed} more times since the last line about it)")]
    private static partial void LogRegexTimedOut(ILogger logger, string pattern, double timeoutMs, int suppressed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Regex /{Pattern}/ was not run and counted as no match: its query had spent its {BudgetMs} ms on the item ({Suppressed} more times since the last line about it)")]
    private static partial void LogRegexSkipped(ILogger logger, string pattern, double budgetMs, int suppressed);

    /// <summary>Subscriptions with one query text and source: compiled and evaluated once.</summary>
    private class Group(CompiledQuery query, Subscription first)
    {
        // One subscription, or a Shared list of all of them: most queries are unique, and a group is two fields.
        private object subscriptions = first;

        public CompiledQuery Query { get; } = query;

        public Subscription First => subscriptions as Subscription ?? ((Shared)subscriptions).First;

        /// <summary>All subscriptions with their subscriber numbers when there are several, else null (then <see cref="First"/> is the only one).</summary>
        public Shared? All => subscriptions as Shared;

        public IEnumerable<Subscription> Subscriptions => All?.Subscriptions ?? [First];

        public void Share(Subscription subscription, int subscriber, int firstSubscriber)
        {
            if (subscriptions is Subscription single)
            {
                var shared = new Shared();
                shared.Add(single, firstSubscriber);
                shared.Add(subscription, subscriber);
                subscriptions = shared;
            }
            else
            {
                ((Shared)subscriptions).Add(subscription, subscriber);
            }
        }

        /// <summary>Removes one subscription of a shared group; returns false when it was the only one.</summary>
        public bool Unshare(long subscriptionId)
        {
            if (subscriptions is not Shared shared)
            {
                return false;
            }

            shared.Remove(subscriptionId);
            if (shared.Count == 1)
            {
                subscriptions = shared.First;
            }

            return true;
        }

        public bool SameQuery(Subscription s) =>
            string.Equals(First.Query, s.Query, StringComparison.Ordinal) && string.Equals(First.SourceId, s.SourceId, StringComparison.Ordinal);
    }

    /// <summary>
    /// The subscriptions of a popular query, with ids and subscriber numbers side by side so that a match walks one
    /// array instead of visiting every subscription object.
    /// </summary>
    private sealed class Shared
    {
        // Arrays with a count rather than two Lists: two objects fewer per popular query.
        private Subscription[] subscriptions = new Subscription[2];
        private Member[] members = new Member[2];

        public int Count { get; private set; }

        public Subscription First => subscriptions[0];

        public ReadOnlySpan<Member> Members => members.AsSpan(0, Count);

        public IEnumerable<Subscription> Subscriptions => subscriptions.Take(Count);

        public void Add(Subscription subscription, int subscriber)
        {
            if (Count == members.Length)
            {
                Array.Resize(ref subscriptions, Count * 2);
                Array.Resize(ref members, Count * 2);
            }

            subscriptions[Count] = subscription;
            members[Count++] = new Member(subscription.Id, subscriber);
        }

        public Subscription? Find(long subscriptionId)
        {
            var i = Array.FindIndex(members, 0, Count, m => m.Id == subscriptionId);
            return i < 0 ? null : subscriptions[i];
        }

        public void Remove(long subscriptionId)
        {
            var i = Array.FindIndex(members, 0, Count, m => m.Id == subscriptionId);
            if (i < 0)
            {
                return;
            }

            // Keep the order: the first subscription stays the group's representative as long as it exists.
            Count--;
            Array.Copy(subscriptions, i + 1, subscriptions, i, Count - i);
            Array.Copy(members, i + 1, members, i, Count - i);
            subscriptions[Count] = null!;
        }
    }

    /// <summary>A group that sits in several postings (an OR), so one item may reach it more than once.</summary>
    private sealed class MultiAnchorGroup(CompiledQuery query, Subscription first) : Group(query, first);

    /// <summary>
    /// A posting list kept inside the dictionary as one reference: one group directly (most keys have one), more in an
    /// array filled from the start, nulls after the last. No count field: it would add 8 bytes to every dictionary
    /// entry, and the count of an array is found by a binary search for its first null.
    /// </summary>
    private struct Posting
    {
        private object? items;

        public readonly int Count => items switch
        {
            null => 0,
            Group => 1,
            _ => CountOf((Group[])items),
        };

        /// <summary>Identity of the posting for de-duplicating visits within one match.</summary>
        public readonly object? Identity => items;

        /// <summary>The groups: <paramref name="single"/> when there is one, else the span of the array.</summary>
        public readonly ReadOnlySpan<Group> Groups(out Group? single)
        {
            if (items is Group[] array)
            {
                single = null;
                return array.AsSpan(0, CountOf(array));
            }

            single = items as Group;
            return default;
        }

        private static int CountOf(Group[] array)
        {
            int lo = 0, hi = array.Length;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (array[mid] is null)
                {
                    hi = mid;
                }
                else
                {
                    lo = mid + 1;
                }
            }

            return lo;
        }

        public readonly Group this[int index] => items is Group single ? single : ((Group[])items!)[index];

        public void Add(Group group)
        {
            switch (items)
            {
                case null:
                    items = group;
                    break;
                case Group single:
                    items = new Group[] { single, group, null!, null! };
                    break;
                default:
                {
                    var array = (Group[])items;
                    var count = CountOf(array);
                    if (count == array.Length)
                    {
                        Array.Resize(ref array, count * 2);
                        items = array;
                    }

                    array[count] = group;
                    break;
                }
            }
        }

        public void Remove(Group group)
        {
            if (items is Group single)
            {
                if (ReferenceEquals(single, group))
                {
                    items = null;
                }

                return;
            }

            var array = (Group[]?)items;
            if (array is null)
            {
                return;
            }

            var count = CountOf(array);
            for (var i = 0; i < count; i++)
            {
                if (ReferenceEquals(array[i], group))
                {
                    // Order within a posting does not matter: the last one fills the gap, so the array stays filled from the start.
                    array[i] = array[count - 1];
                    array[count - 1] = null!;
                    if (count == 1)
                    {
                        items = null;
                    }

                    return;
                }
            }
        }
    }

    /// <summary>The sets one match uses to visit each group, posting and word once; kept per thread and cleared after use.</summary>
    private sealed class VisitSets
    {
        public HashSet<object> Groups { get; } = new(ReferenceEqualityComparer.Instance);

        public HashSet<object> Postings { get; } = new(ReferenceEqualityComparer.Instance);

        public HashSet<string> Words { get; } = new(StringComparer.Ordinal);

        public void Clear()
        {
            Groups.Clear();
            Postings.Clear();
            Words.Clear();
        }
    }

    [ThreadStatic]
    private static VisitSets? t_sets;

    private sealed class State(TextNormalizer normalizer)
    {
        public TextNormalizer Normalizer { get; } = normalizer;

        public Dictionary<long, Group> BySubscription { get; } = [];

        public int GroupCount { get; private set; }

        private readonly Dictionary<string, Posting> byKey = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Posting> byPrefix = new(StringComparer.Ordinal);
        private Posting always;
        private int minPrefix = int.MaxValue;
        private int maxPrefix;

        // Subscribers as dense numbers (with the count of their subscriptions), so that a match de-duplicates
        // subscribers in an array; numbers of subscribers without subscriptions are reused.
        private readonly Dictionary<string, (int Number, int Subscriptions)> subscriberNumbers = new(StringComparer.Ordinal);
        private readonly List<string?> subscriberNames = [];
        private readonly Stack<int> freeNumbers = new();

        private int Retain(string subscriberId)
        {
            ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(subscriberNumbers, subscriberId, out var exists);
            if (!exists)
            {
                if (freeNumbers.TryPop(out var reused))
                {
                    slot.Number = reused;
                    subscriberNames[reused] = subscriberId;
                }
                else
                {
                    slot.Number = subscriberNames.Count;
                    subscriberNames.Add(subscriberId);
                }
            }

            slot.Subscriptions++;
            return slot.Number;
        }

        private void Release(string subscriberId)
        {
            ref var slot = ref CollectionsMarshal.GetValueRefOrNullRef(subscriberNumbers, subscriberId);
            if (!Unsafe.IsNullRef(ref slot) && --slot.Subscriptions == 0)
            {
                subscriberNames[slot.Number] = null;
                freeNumbers.Push(slot.Number);
                subscriberNumbers.Remove(subscriberId);
            }
        }

        private int NumberOf(string subscriberId) => subscriberNumbers[subscriberId].Number;

        public IEnumerable<Subscription> AllSubscriptions() =>
            BySubscription.Values.Distinct().SelectMany(g => g.Subscriptions);

        public void EnsureCapacity(int additional) => BySubscription.EnsureCapacity(BySubscription.Count + additional);

        /// <summary>
        /// Shares a key or prefix string with the postings that already hold an equal one. No separate pool: its entry per
        /// distinct string cost more than the duplicates it saved (most long-tail words occur once; a word occurring often
        /// is nearly always some query's anchor).
        /// </summary>
        private string Intern(string s)
        {
            if (byKey.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(s, out var key, out _))
            {
                return key;
            }

            return byPrefix.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(s, out var prefix, out _) ? prefix : s;
        }

        private ref Posting PostingFor(Anchor? anchor)
        {
            if (anchor is not { } a)
            {
                return ref always;
            }

            return ref CollectionsMarshal.GetValueRefOrAddDefault(a.IsPrefix ? byPrefix : byKey, a.Value, out _);
        }

        public void Add(Subscription subscription, QueryNode tree, QueryOptions options, RegexTimeoutCounter timeouts)
        {
            Remove(subscription.Id);
            var compiled = CompiledQuery.Compile(tree, Normalizer, options, timeouts, Intern);
            var anchors = compiled.Anchors();
            var subscriber = Retain(subscription.SubscriberId);

            // An equal query for the same source is already here: share its group (found through its first posting).
            ref var first = ref PostingFor(anchors?[0]);
            for (int i = 0, count = first.Count; i < count; i++)
            {
                var existing = first[i];
                if (existing.SameQuery(subscription))
                {
                    existing.Share(subscription, subscriber, NumberOf(existing.First.SubscriberId));
                    BySubscription[subscription.Id] = existing;
                    return;
                }
            }

            var group = anchors is { Length: > 1 } ? new MultiAnchorGroup(compiled, subscription) : new Group(compiled, subscription);
            BySubscription[subscription.Id] = group;
            GroupCount++;
            if (anchors is null)
            {
                always.Add(group);
                return;
            }

            foreach (var anchor in anchors)
            {
                PostingFor(anchor).Add(group);
                if (anchor.IsPrefix)
                {
                    minPrefix = Math.Min(minPrefix, anchor.Value.Length);
                    maxPrefix = Math.Max(maxPrefix, anchor.Value.Length);
                }
            }
        }

        public void Remove(long subscriptionId)
        {
            if (!BySubscription.Remove(subscriptionId, out var group))
            {
                return;
            }

            var subscriberId = group.All?.Find(subscriptionId)?.SubscriberId ?? group.First.SubscriberId;
            Release(subscriberId);
            if (group.Unshare(subscriptionId))
            {
                return;
            }

            GroupCount--;
            var anchors = group.Query.Anchors();
            if (anchors is null)
            {
                always.Remove(group);
                return;
            }

            foreach (var anchor in anchors)
            {
                var postings = anchor.IsPrefix ? byPrefix : byKey;
                ref var posting = ref CollectionsMarshal.GetValueRefOrNullRef(postings, anchor.Value);
                if (!Unsafe.IsNullRef(ref posting))
                {
                    posting.Remove(group);
                    if (posting.Count == 0)
                    {
                        postings.Remove(anchor.Value);
                    }
                }
            }
        }

        public IReadOnlyList<SubscriberMatch> Match(TickerItem item, TimeSpan itemBudget, MatchStats? stats = null)
        {
            var analyzed = AnalyzedItem.Create(item, Normalizer);
            var accumulator = new MatchAccumulator(analyzed, subscriberNames);
            var sets = t_sets ?? new VisitSets();
            t_sets = null;
            var seen = sets.Groups;

            foreach (var key in analyzed.Keys)
            {
                if (byKey.TryGetValue(key, out var posting))
                {
                    ConsiderAll(posting, analyzed, itemBudget, accumulator, seen, stats);
                }
            }

            if (byPrefix.Count > 0)
            {
                var lookup = byPrefix.GetAlternateLookup<ReadOnlySpan<char>>();
                var visitedPostings = sets.Postings;
                var visitedWords = sets.Words;
                foreach (var token in analyzed.TokenArray)
                {
                    var folded = token.Folded;
                    if (folded.Length < minPrefix || !visitedWords.Add(folded))
                    {
                        continue;
                    }

                    var longest = Math.Min(maxPrefix, folded.Length);
                    for (var length = minPrefix; length <= longest; length++)
                    {
                        if (lookup.TryGetValue(folded.AsSpan(0, length), out var posting) && visitedPostings.Add(posting.Identity!))
                        {
                            ConsiderAll(posting, analyzed, itemBudget, accumulator, seen, stats);
                        }
                    }
                }
            }

            ConsiderAll(always, analyzed, itemBudget, accumulator, seen, stats);
            sets.Clear();
            t_sets = sets;
            return accumulator.Build();
        }

        private void ConsiderAll(Posting posting, AnalyzedItem analyzed, TimeSpan itemBudget, MatchAccumulator accumulator, HashSet<object> seen, MatchStats? stats)
        {
            var groups = posting.Groups(out var single);
            if (single is not null)
            {
                Consider(single, analyzed, itemBudget, accumulator, seen, stats);
                return;
            }

            foreach (var group in groups)
            {
                Consider(group, analyzed, itemBudget, accumulator, seen, stats);
            }
        }

        private void Consider(Group group, AnalyzedItem analyzed, TimeSpan itemBudget, MatchAccumulator accumulator, HashSet<object> seen, MatchStats? stats)
        {
            if (group is MultiAnchorGroup && !seen.Add(group))
            {
                return;
            }

            if (stats is not null)
            {
                stats.Candidates++;
            }

            analyzed.StartBudget(itemBudget);
            if (SourceAllows(group.First.SourceId, analyzed.Item) && group.Query.Matches(analyzed))
            {
                if (stats is not null)
                {
                    stats.MatchedQueries++;
                }

                if (group.All is { } shared)
                {
                    accumulator.Add(group.Query, shared.First.Query, shared.Members);
                }
                else
                {
                    var first = group.First;
                    var member = new Member(first.Id, NumberOf(first.SubscriberId));
                    accumulator.Add(group.Query, first.Query, new ReadOnlySpan<Member>(in member));
                }
            }
        }
    }
}
