using Alerts.Core.Subscriptions;
using Alerts.Core.Tickers;

namespace Alerts.Core.Matching;

/// <summary>
/// Evaluates every subscription against every item. The oracle for <see cref="MatcherIndex"/> in tests and
/// baseline (a) of the benchmark; fine for a handful of subscriptions (for example <c>replay</c>).
/// </summary>
public sealed class NaiveMatcher : ISubscriptionMatcher
{
    private readonly Lock gate = new();
    private readonly QueryOptions options;
    private readonly RegexTimeoutCounter timeouts = new();
    private readonly SortedDictionary<long, (Subscription Subscription, CompiledQuery Query, int Subscriber)> subscriptions = [];

    // Subscribers as dense numbers for the accumulator; never released (an oracle for tests and replays).
    private readonly Dictionary<string, int> subscriberNumbers = new(StringComparer.Ordinal);
    private readonly List<string?> subscriberNames = [];
    private TextNormalizer normalizer;

    public NaiveMatcher(AliasTable? aliases = null, QueryOptions? options = null)
    {
        this.options = options ?? QueryOptions.Default;
        normalizer = new TextNormalizer(aliases ?? AliasTable.Empty);
    }

    public int Count
    {
        get
        {
            lock (gate)
            {
                return subscriptions.Count;
            }
        }
    }

    public RegexTimeoutCounter RegexTimeouts => timeouts;

    public void Add(Subscription subscription)
    {
        var compiled = CompiledQuery.Compile(QueryParser.Parse(subscription.Query, options), normalizer, options, timeouts);
        lock (gate)
        {
            if (!subscriberNumbers.TryGetValue(subscription.SubscriberId, out var number))
            {
                number = subscriberNames.Count;
                subscriberNumbers.Add(subscription.SubscriberId, number);
                subscriberNames.Add(subscription.SubscriberId);
            }

            subscriptions[subscription.Id] = (subscription, compiled, number);
        }
    }

    public void Remove(long subscriptionId)
    {
        lock (gate)
        {
            subscriptions.Remove(subscriptionId);
        }
    }

    /// <summary>Swaps the alias table and recompiles every query against it.</summary>
    public void ReplaceAliases(AliasTable aliases)
    {
        lock (gate)
        {
            normalizer = new TextNormalizer(aliases);
            foreach (var (id, (subscription, _, number)) in subscriptions.ToList())
            {
                subscriptions[id] = (subscription, CompiledQuery.Compile(QueryParser.Parse(subscription.Query, options), normalizer, options, timeouts), number);
            }
        }
    }

    /// <summary>One match per subscriber, ordered by subscriber id.</summary>
    public IReadOnlyList<SubscriberMatch> Match(TickerItem item)
    {
        lock (gate)
        {
            var analyzed = AnalyzedItem.Create(item, normalizer);
            var accumulator = new MatchAccumulator(analyzed, subscriberNames);
            foreach (var (subscription, query, number) in subscriptions.Values)
            {
                if (MatcherIndex.SourceAllows(subscription.SourceId, item) && query.Matches(analyzed))
                {
                    var member = new Member(subscription.Id, number);
                    accumulator.Add(query, subscription.Query, new ReadOnlySpan<Member>(in member));
                }
            }

            return [.. accumulator.Build().OrderBy(m => m.SubscriberId, StringComparer.Ordinal)];
        }
    }
}
