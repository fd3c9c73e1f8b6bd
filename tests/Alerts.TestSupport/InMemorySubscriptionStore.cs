using System.Collections.Concurrent;
using Alerts.Core.Subscriptions;

namespace Alerts.TestSupport;

/// <summary>
/// A thread-safe in-memory <see cref="ISubscriptionStore"/> with the storage's observable rules (ids in order,
/// a change log for <see cref="GetChangesSinceAsync"/>, settings copied field by field), recording each call
/// that changes something in <see cref="Calls"/> as a short line ("add telegram:1 Drohne -").
/// </summary>
public sealed class InMemorySubscriptionStore : ISubscriptionStore
{
    private readonly Lock gate = new();
    private readonly List<(long Version, Subscription? Added, long Removed)> changes = [];
    private long nextId;

    public ConcurrentDictionary<string, Subscriber> Subscribers { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<long, Subscription> Subscriptions { get; } = new();

    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>Every subscription in the order it was added.</summary>
    public IReadOnlyList<Subscription> All => [.. Subscriptions.Values.OrderBy(s => s.Id)];

    public Task<Subscriber> EnsureSubscriberAsync(Subscriber subscriber, CancellationToken cancellationToken = default)
    {
        var existing = Subscribers.GetOrAdd(subscriber.Id, subscriber);
        if (ReferenceEquals(existing, subscriber))
        {
            Calls.Enqueue($"ensure {subscriber.Id} group={subscriber.IsGroup}");
        }

        return Task.FromResult(existing);
    }

    public Task<Subscriber?> GetSubscriberAsync(string subscriberId, CancellationToken cancellationToken = default) =>
        Task.FromResult(Subscribers.GetValueOrDefault(subscriberId));

    public Task<Subscription> AddSubscriptionAsync(string subscriberId, string query, string? sourceId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue($"add {subscriberId} {query} {sourceId ?? "-"}");
        lock (gate)
        {
            var added = new Subscription(++nextId, subscriberId, query, sourceId, now);
            Subscriptions[added.Id] = added;
            changes.Add((changes.Count + 1, added, 0));
            return Task.FromResult(added);
        }
    }

    public Task<IReadOnlyList<Subscription>> ListSubscriptionsAsync(string subscriberId, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<Subscription>>([.. Subscriptions.Values.Where(s => s.SubscriberId == subscriberId).OrderBy(s => s.CreatedAt).ThenBy(s => s.Id)]);

    public Task<bool> RemoveSubscriptionAsync(long subscriptionId, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue($"remove {subscriptionId}");
        lock (gate)
        {
            var removed = Subscriptions.TryRemove(subscriptionId, out _);
            if (removed)
            {
                changes.Add((changes.Count + 1, null, subscriptionId));
            }

            return Task.FromResult(removed);
        }
    }

    public Task<IReadOnlyList<Subscription>> GetAllSubscriptionsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(All);

    public Task<SubscriptionChanges> GetChangesSinceAsync(long sinceVersion, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            var page = changes.Where(c => c.Version > sinceVersion).ToList();
            return Task.FromResult(new SubscriptionChanges(
                [.. page.Where(c => c.Added is not null && Subscriptions.ContainsKey(c.Added.Id)).Select(c => c.Added!)],
                [.. page.Where(c => c.Added is null).Select(c => c.Removed)],
                changes.Count));
        }
    }

    public Task SetPausedAsync(string subscriberId, bool paused, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue($"paused {subscriberId} {paused}");
        Change(subscriberId, s => s with { Paused = paused });
        return Task.CompletedTask;
    }

    public Task SaveSettingsAsync(Subscriber subscriber, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue($"settings {subscriber.Id}");
        Subscribers.AddOrUpdate(subscriber.Id, _ => subscriber, (_, s) => s with
        {
            Language = subscriber.Language, DetectedLanguage = subscriber.DetectedLanguage, TimeZone = subscriber.TimeZone,
            MutedUntil = subscriber.MutedUntil, Quiet = subscriber.Quiet, LongFormat = subscriber.LongFormat,
        });
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Subscription>> GetMutedSubscriptionsAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<Subscription>>([.. Subscriptions.Values.Where(s => s.IsMutedAt(now)).OrderBy(s => s.Id)]);

    public Task<bool> SetSubscriptionMutedUntilAsync(long subscriptionId, DateTimeOffset? until, CancellationToken cancellationToken = default)
    {
        if (!Subscriptions.TryGetValue(subscriptionId, out var s))
        {
            return Task.FromResult(false);
        }

        Subscriptions[subscriptionId] = s with { MutedUntil = until };
        return Task.FromResult(true);
    }

    public Task DeactivateAsync(string subscriberId, string reason, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue($"deactivate {subscriberId}");
        Change(subscriberId, s => s with { Active = false, DeactivatedReason = reason });
        return Task.CompletedTask;
    }

    public Task ReactivateAsync(string subscriberId, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue($"reactivate {subscriberId}");
        Change(subscriberId, s => s with { Active = true, DeactivatedReason = null });
        return Task.CompletedTask;
    }

    /// <summary>As the storage does: the subscriber gets its new id and keeps its subscriptions.</summary>
    public Task MigrateSubscriberAsync(string oldSubscriberId, Subscriber newSubscriber, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue($"migrate {oldSubscriberId} -> {newSubscriber.Id}");
        Subscribers.TryRemove(oldSubscriberId, out _);
        Subscribers[newSubscriber.Id] = newSubscriber;
        foreach (var s in Subscriptions.Values.Where(s => s.SubscriberId == oldSubscriberId))
        {
            Subscriptions[s.Id] = s with { SubscriberId = newSubscriber.Id };
        }

        return Task.CompletedTask;
    }

    /// <summary>A change to a subscriber the store does not know is a test's mistake, as it would be a foreign key error.</summary>
    private void Change(string subscriberId, Func<Subscriber, Subscriber> change) =>
        Subscribers.AddOrUpdate(subscriberId, id => throw new InvalidOperationException($"unknown subscriber {id}"), (_, s) => change(s));
}
