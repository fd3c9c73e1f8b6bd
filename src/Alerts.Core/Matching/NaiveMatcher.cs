using Alerts.Core.Subscriptions;
using Alerts.Core.Tickers;

namespace Alerts.Core.Matching;

/// <summary>
/// Evaluates every subscription against every item. The oracle for <see cref="MatcherIndex"/> in tests and
/// baseline (a) of the benchmark; fine for a handful of subscriptions (for example <c>replay</c>).
/// </summary>
public sealed class NaiveMatcher : ISubscriptionMatcher
{
    private readonly Lock _lock = new();
    private readonly QueryOptions _options;
    private readonly RegexTimeoutCounter _timeouts = new();
    private readonly SortedDictionary<long, (Subscription Subscription, CompiledQuery Query, int Subscriber)> _subscriptions = [];

    // Subscribers as dense numbers for the accumulator; never released (an oracle for tests and replays).
    private readonly Dictionary<string, int> _subscriberNumbers = new(StringComparer.Ordinal);
    private readonly List<string?> _subscriberNames = [];
    private TextNormalizer _normalizer;

    public NaiveMatcher(AliasTable? aliases = null, QueryOptions? options = null)
    {
        _options = options ?? QueryOptions.Default;
        _normalizer = new TextNormalizer(aliases ?? AliasTable.Empty);
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _subscriptions.Count;
            }
        }
    }

    public RegexTimeoutCounter RegexTimeouts => _timeouts;

    public void Add(Subscription subscription)
    {
        var compiled = CompiledQuery.Compile(QueryParser.Parse(subscription.Query, _options), _normalizer, _options, _timeouts);
        lock (_lock)
        {
            if (!_subscriberNumbers.TryGetValue(subscription.SubscriberId, out var number))
            {
                number = _subscriberNames.Count;
                _subscriberNumbers.Add(subscription.SubscriberId, number);
                _subscriberNames.Add(subscription.SubscriberId);
            }

            _subscriptions[subscription.Id] = (subscription, compiled, number);
        }
    }

    public void Remove(long subscriptionId)
    {
        lock (_lock)
        {
            _subscriptions.Remove(subscriptionId);
        }
    }

    /// <summary>Swaps the alias table and recompiles every query against it.</summary>
    public void ReplaceAliases(AliasTable aliases)
    {
        lock (_lock)
        {
            _normalizer = new TextNormalizer(aliases);
            foreach (var (id, (subscription, _, number)) in _subscriptions.ToList())
            {
                _subscriptions[id] = (subscription, CompiledQuery.Compile(QueryParser.Parse(subscription.Query, _options), _normalizer, _options, _timeouts), number);
            }
        }
    }

    /// <summary>One match per subscriber, ordered by subscriber id.</summary>
    public IReadOnlyList<SubscriberMatch> Match(TickerItem item)
    {
        lock (_lock)
        {
            var analyzed = AnalyzedItem.Create(item, _normalizer);
            var accumulator = new MatchAccumulator(analyzed, _subscriberNames);
            foreach (var (subscription, query, number) in _subscriptions.Values)
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
