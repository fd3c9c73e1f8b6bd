using Alerts.Core.Subscriptions;
using Alerts.Core.Tickers;

namespace Alerts.Core.Matching;

/// <summary>One subscriber that wants an item: one result per subscriber however many of its subscriptions match (SPEC §4).</summary>
/// <param name="Query">The first matching subscription's query, as the subscriber wrote it.</param>
/// <param name="Matched">The words of the item that matched, as they appear in the item, without duplicates.</param>
public sealed record SubscriberMatch(string SubscriberId, IReadOnlyList<long> SubscriptionIds, string Query, IReadOnlyList<string> Matched);

/// <summary>The matcher index over all active subscriptions, updated incrementally (issue: subscriptions).</summary>
public interface ISubscriptionMatcher
{
    /// <summary>Adds or replaces a subscription. Throws <see cref="QuerySyntaxException"/> for a query that does not parse.</summary>
    void Add(Subscription subscription);

    void Remove(long subscriptionId);

    int Count { get; }

    /// <summary>Subscribers whose subscriptions match the item (respecting each subscription's source restriction).</summary>
    IReadOnlyList<SubscriberMatch> Match(TickerItem item);
}

/// <summary>A malformed query: what is wrong and where (0-based character position).</summary>
public sealed class QuerySyntaxException(string reason, int position)
    : Exception($"{reason} at {position}")
{
    public string Reason { get; } = reason;

    public int Position { get; } = position;
}
