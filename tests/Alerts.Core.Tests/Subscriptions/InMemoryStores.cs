using Alerts.Core.Diffing;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tickers;

namespace Alerts.Core.Tests.Subscriptions;

/// <summary>A hand-written in-memory <see cref="ISubscriptionStore"/> that records the calls that change something.</summary>
internal sealed class InMemorySubscriptionStore : ISubscriptionStore
{
    private readonly Dictionary<string, Subscriber> _subscribers = [];
    private readonly List<Subscription> _subscriptions = [];
    private readonly List<(long Version, Subscription? Added, long Removed)> _log = [];
    private long _nextId = 1;

    public List<string> Calls { get; } = [];

    public IReadOnlyList<Subscription> All => _subscriptions;

    public Task<Subscriber> EnsureSubscriberAsync(Subscriber subscriber, CancellationToken cancellationToken = default)
    {
        if (!_subscribers.TryGetValue(subscriber.Id, out var existing))
        {
            Calls.Add($"ensure {subscriber.Id}");
            existing = subscriber;
            _subscribers[subscriber.Id] = existing;
        }

        return Task.FromResult(existing);
    }

    public Task<Subscriber?> GetSubscriberAsync(string subscriberId, CancellationToken cancellationToken = default) =>
        Task.FromResult(_subscribers.GetValueOrDefault(subscriberId));

    public Task<Subscription> AddSubscriptionAsync(string subscriberId, string query, string? sourceId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        Calls.Add($"add {subscriberId} {query} {sourceId ?? "-"}");
        var s = new Subscription(_nextId++, subscriberId, query, sourceId, now);
        _subscriptions.Add(s);
        _log.Add((_log.Count + 1, s, 0));
        return Task.FromResult(s);
    }

    public Task<IReadOnlyList<Subscription>> ListSubscriptionsAsync(string subscriberId, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<Subscription>>(_subscriptions.Where(s => s.SubscriberId == subscriberId).OrderBy(s => s.CreatedAt).ThenBy(s => s.Id).ToList());

    public Task<bool> RemoveSubscriptionAsync(long subscriptionId, CancellationToken cancellationToken = default)
    {
        Calls.Add($"remove {subscriptionId}");
        var removed = _subscriptions.RemoveAll(s => s.Id == subscriptionId) > 0;
        if (removed)
        {
            _log.Add((_log.Count + 1, null, subscriptionId));
        }

        return Task.FromResult(removed);
    }

    public Task<IReadOnlyList<Subscription>> GetAllSubscriptionsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<Subscription>>(_subscriptions.ToList());

    public Task<SubscriptionChanges> GetChangesSinceAsync(long sinceVersion, CancellationToken cancellationToken = default)
    {
        var page = _log.Where(e => e.Version > sinceVersion).ToList();
        return Task.FromResult(new SubscriptionChanges(
            page.Where(e => e.Added is not null).Select(e => e.Added!).ToList(),
            page.Where(e => e.Added is null).Select(e => e.Removed).ToList(),
            _log.Count));
    }

    public Task<IReadOnlyList<Subscription>> GetMutedSubscriptionsAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<Subscription>>(_subscriptions.Where(s => s.IsMutedAt(now)).ToList());

    public Task SaveSettingsAsync(Subscriber subscriber, CancellationToken cancellationToken = default)
    {
        Calls.Add($"settings {subscriber.Id}");
        _subscribers[subscriber.Id] = _subscribers[subscriber.Id] with
        {
            Language = subscriber.Language, DetectedLanguage = subscriber.DetectedLanguage, TimeZone = subscriber.TimeZone,
            MutedUntil = subscriber.MutedUntil, Quiet = subscriber.Quiet, LongFormat = subscriber.LongFormat,
        };
        return Task.CompletedTask;
    }

    public Task<bool> SetSubscriptionMutedUntilAsync(long subscriptionId, DateTimeOffset? until, CancellationToken cancellationToken = default)
    {
        var at = _subscriptions.FindIndex(s => s.Id == subscriptionId);
        if (at >= 0)
        {
            _subscriptions[at] = _subscriptions[at] with { MutedUntil = until };
        }

        return Task.FromResult(at >= 0);
    }

    public Task SetPausedAsync(string subscriberId, bool paused, CancellationToken cancellationToken = default)
    {
        Calls.Add($"paused {subscriberId} {paused}");
        _subscribers[subscriberId] = _subscribers[subscriberId] with { Paused = paused };
        return Task.CompletedTask;
    }

    public Task DeactivateAsync(string subscriberId, string reason, CancellationToken cancellationToken = default)
    {
        Calls.Add($"deactivate {subscriberId}");
        _subscribers[subscriberId] = _subscribers[subscriberId] with { Active = false, DeactivatedReason = reason };
        return Task.CompletedTask;
    }

    public Task ReactivateAsync(string subscriberId, CancellationToken cancellationToken = default)
    {
        Calls.Add($"reactivate {subscriberId}");
        _subscribers[subscriberId] = _subscribers[subscriberId] with { Active = true, DeactivatedReason = null };
        return Task.CompletedTask;
    }

    public Task MigrateSubscriberAsync(string oldSubscriberId, Subscriber newSubscriber, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("not needed by these tests");
}

/// <summary>An in-memory <see cref="ITickerStateStore"/> serving fixed recent items; records what was asked.</summary>
internal sealed class InMemoryTickerStateStore : ITickerStateStore
{
    public Dictionary<string, List<TickerItem>> Recent { get; } = [];

    public List<string> Calls { get; } = [];

    public Task<SourceState?> GetStateAsync(string sourceId, CancellationToken cancellationToken = default) => Task.FromResult<SourceState?>(null);

    public Task CommitPollAsync(PollCommit commit, CancellationToken cancellationToken = default)
    {
        Calls.Add($"commit {commit.SourceId}");
        return Task.CompletedTask;
    }

    public Task RecordSuccessAsync(string sourceId, DateTimeOffset at, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task RecordFailureAsync(string sourceId, string error, DateTimeOffset at, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<IReadOnlyList<TickerItem>> GetRecentItemsAsync(string sourceId, int count, CancellationToken cancellationToken = default)
    {
        Calls.Add($"recent {sourceId} {count}");
        return Task.FromResult<IReadOnlyList<TickerItem>>(Recent.GetValueOrDefault(sourceId, []).Take(count).ToList());
    }
}
