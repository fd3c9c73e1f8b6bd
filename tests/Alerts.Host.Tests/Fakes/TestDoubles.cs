using System.Collections.Concurrent;
using Alerts.Core.Diffing;
using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tickers;

namespace Alerts.Host.Tests.Fakes;

/// <summary>Matches when every word of the query occurs in headline or body (case-insensitive).</summary>
internal sealed class WordMatcher : ISubscriptionMatcher
{
    private readonly ConcurrentDictionary<long, Subscription> subscriptions = new();

    public int Count => subscriptions.Count;

    public void Add(Subscription subscription)
    {
        if (subscription.Query.Contains('(', StringComparison.Ordinal))
        {
            throw new QuerySyntaxException("unbalanced parenthesis", subscription.Query.IndexOf('(', StringComparison.Ordinal));
        }

        subscriptions[subscription.Id] = subscription;
    }

    public void Remove(long subscriptionId) => subscriptions.TryRemove(subscriptionId, out _);

    public IReadOnlyList<SubscriberMatch> Match(TickerItem item)
    {
        var words = (item.Headline + " " + item.Body).Split([' ', ',', '.', '\n'], StringSplitOptions.RemoveEmptyEntries);
        return [.. subscriptions.Values
            .Where(s => s.SourceId is null || s.SourceId == item.SourceId)
            .Where(s => s.Query.Split(' ').All(q => words.Contains(q, StringComparer.OrdinalIgnoreCase)))
            .GroupBy(s => s.SubscriberId)
            .Select(g => new SubscriberMatch(g.Key, [.. g.Select(s => s.Id)], g.First().Query, [.. g.First().Query.Split(' ')]))];
    }
}

/// <summary>
/// A tiny ticker format for poller tests: first line <c>TICKER</c>, then one <c>key|HH:MM|headline|body</c> per entry.
/// Anything else is refused as not a page of this kind.
/// </summary>
internal sealed class LineTickerParser : ITickerParser
{
    public string Kind => SourceKinds.Feed;

    public bool CanParse(string content) => content.StartsWith("TICKER\n", StringComparison.Ordinal);

    public IReadOnlyList<TickerItem> Parse(string content, ParseContext context)
    {
        if (!CanParse(content))
        {
            throw new TickerParseException("not a TICKER page");
        }

        var items = new List<TickerItem>();
        foreach (var line in content.Split('\n').Skip(1).Where(l => l.Length > 0))
        {
            var parts = line.Split('|');
            if (parts.Length != 4)
            {
                throw new TickerParseException($"malformed entry line '{line}'");
            }

            var published = new DateTimeOffset(2025, 12, 1, 0, 0, 0, TimeSpan.Zero) + TimeSpan.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
            items.Add(new TickerItem(context.SourceId, parts[0], published, parts[2], parts[3], context.Url + "#" + parts[0], ItemIdentity.ContentHash(parts[2], parts[3])));
        }

        return items;
    }

    public static string Page(params (string Key, string Headline)[] entries) =>
        "TICKER\n" + string.Concat(entries.Select((e, i) => $"{e.Key}|10:{i:00}|{e.Headline}|Body of {e.Key}\n"));
}
