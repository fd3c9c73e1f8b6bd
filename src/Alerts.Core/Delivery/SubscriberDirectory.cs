using System.Collections.Concurrent;
using Alerts.Core.Subscriptions;

namespace Alerts.Core.Delivery;

/// <summary>
/// Subscribers as the dispatcher sees them, cached for <see cref="DispatchOptions.SubscriberCacheDuration"/> (a /pause
/// on another instance counts within that time), and updated at once by what the dispatcher itself changes.
/// </summary>
internal sealed class SubscriberDirectory(ISubscriptionStore store, DispatchOptions options)
{
    private const int MaxCached = 100_000;

    private readonly ConcurrentDictionary<string, (Subscriber? Subscriber, DateTimeOffset FetchedAt)> cache = new(StringComparer.Ordinal);

    public async Task<Subscriber?> GetAsync(string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(id, out var cached) && now - cached.FetchedAt < options.SubscriberCacheDuration)
        {
            return cached.Subscriber;
        }

        if (cache.Count > MaxCached)
        {
            cache.Clear();
        }

        var subscriber = await store.GetSubscriberAsync(id, cancellationToken);
        cache[id] = (subscriber, now);
        return subscriber;
    }

    public async Task DeactivateAsync(Subscriber to, string reason, DateTimeOffset now)
    {
        await store.DeactivateAsync(to.Id, reason, CancellationToken.None);
        cache[to.Id] = (to with { Active = false, DeactivatedReason = reason }, now);
    }

    public async Task MigrateAsync(Subscriber old, Subscriber to, DateTimeOffset now)
    {
        await store.MigrateSubscriberAsync(old.Id, to, CancellationToken.None);
        cache.TryRemove(old.Id, out _);
        cache[to.Id] = (to, now);
    }
}
