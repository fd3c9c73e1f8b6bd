using Alerts.Core.Diffing;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tickers;

namespace Alerts.Storage.Tests.Infrastructure;

/// <summary>Test data with readable defaults.</summary>
public static class Builders
{
    public static readonly DateTimeOffset T0 = new(2025, 12, 1, 12, 0, 0, TimeSpan.Zero);

    public static string UniqueId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    public static TickerItem Item(string sourceId, int minute, string? headline = null, string body = "Text.")
    {
        var published = T0.AddMinutes(minute);
        headline ??= $"Meldung von {published:HH:mm}";
        return new TickerItem(sourceId, ItemIdentity.TimeKey(published, 1), published, headline, body, $"https://example.test/ticker#{minute}",
            ItemIdentity.ContentHash(headline, body));
    }

    /// <summary>A page of <paramref name="count"/> items, newest first, the newest at <paramref name="newestMinute"/>.</summary>
    public static IReadOnlyList<TickerItem> Page(string sourceId, int newestMinute, int count) =>
        Enumerable.Range(0, count).Select(i => Item(sourceId, newestMinute - i)).ToList();

    public static PollCommit Commit(string sourceId, IReadOnlyList<TickerItem> items, DateTimeOffset at, IReadOnlyList<NewAlert>? alerts = null, string? etag = null) =>
        new(sourceId, items, alerts ?? [], etag, null, at);

    public static NewAlert Alert(string subscriberId, TickerItem item, params string[] matched) =>
        new(subscriberId, item, string.Join(' ', matched.DefaultIfEmpty("ukraine")), matched.Length == 0 ? ["Ukraine"] : matched);

    public static Subscriber Subscriber(string? id = null, bool isGroup = false)
    {
        id ??= Core.Subscriptions.Subscriber.MakeId(Platforms.Telegram, Guid.NewGuid().ToString("N")[..10]);
        var separator = id.IndexOf(':', StringComparison.Ordinal);
        return new Subscriber(id, id[..separator], id[(separator + 1)..], IsGroup: isGroup);
    }
}
