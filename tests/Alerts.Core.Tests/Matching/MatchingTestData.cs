using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tickers;

namespace Alerts.Core.Tests.Matching;

/// <summary>Builders for items and subscriptions used by the matching tests.</summary>
internal static class MatchingTestData
{
    public static readonly AliasTable Aliases = new(
    [
        ["Selenskyj", "Zelensky", "Zelenskyy", "Selensky", "Зеленський", "Зеленский"],
        ["Kyjiw", "Kiew", "Kyiv", "Kiev", "Київ", "Киев"],
    ]);

    /// <summary>A regex budget that a loaded CI machine cannot exceed by accident; the timeout itself has its own test.</summary>
    public static readonly QueryOptions Options = new() { RegexTimeout = TimeSpan.FromSeconds(10), ItemBudget = TimeSpan.FromSeconds(10) };

    public static TickerItem Item(string headline, string body = "", string source = "ntv") =>
        new(source, "k-" + headline.GetHashCode(StringComparison.Ordinal), new DateTimeOffset(2025, 12, 1, 12, 0, 0, TimeSpan.Zero), headline, body, null, "h");

    public static Subscription Sub(long id, string subscriber, string query, string? source = null) =>
        new(id, subscriber, query, source, new DateTimeOffset(2025, 12, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>The matched words, or null when the query does not match.</summary>
    public static IReadOnlyList<string>? Match(string query, string headline, string body = "", string source = "ntv", AliasTable? aliases = null) =>
        new SingleQueryMatcher(query, aliases ?? Aliases, Options).Match(Item(headline, body, source));
}
