namespace Alerts.Core.Subscriptions;

/// <summary>Subscribers and their subscriptions. Implemented for SQLite and PostgreSQL in Alerts.Storage.</summary>
public interface ISubscriptionStore
{
    /// <summary>Creates the subscriber if it does not exist yet and returns the stored row (existing flags win).</summary>
    Task<Subscriber> EnsureSubscriberAsync(Subscriber subscriber, CancellationToken cancellationToken = default);

    Task<Subscriber?> GetSubscriberAsync(string subscriberId, CancellationToken cancellationToken = default);

    Task<Subscription> AddSubscriptionAsync(string subscriberId, string query, string? sourceId, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>The subscriber's subscriptions, oldest first (the order <c>/list</c> numbers them in).</summary>
    Task<IReadOnlyList<Subscription>> ListSubscriptionsAsync(string subscriberId, CancellationToken cancellationToken = default);

    Task<bool> RemoveSubscriptionAsync(long subscriptionId, CancellationToken cancellationToken = default);

    /// <summary>Every subscription, for building the matcher index.</summary>
    Task<IReadOnlyList<Subscription>> GetAllSubscriptionsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Subscriptions added and removed after <paramref name="sinceVersion"/> (0 = everything), so that every
    /// instance keeps its matcher index in step incrementally, whichever instance took the command.
    /// </summary>
    Task<SubscriptionChanges> GetChangesSinceAsync(long sinceVersion, CancellationToken cancellationToken = default);

    Task SetPausedAsync(string subscriberId, bool paused, CancellationToken cancellationToken = default);

    /// <summary>
    /// Saves the subscriber's own choices from <paramref name="subscriber"/>: language (chosen and detected), time zone,
    /// mute, quiet hours and format. Existence, pause and activity are left alone (they have their own calls).
    /// </summary>
    Task SaveSettingsAsync(Subscriber subscriber, CancellationToken cancellationToken = default);

    /// <summary>The subscriptions muted at <paramref name="now"/> (few: the alert buttons set them for hours).</summary>
    Task<IReadOnlyList<Subscription>> GetMutedSubscriptionsAsync(DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Mutes one subscription until <paramref name="until"/> (null unmutes). False when it does not exist.</summary>
    Task<bool> SetSubscriptionMutedUntilAsync(long subscriptionId, DateTimeOffset? until, CancellationToken cancellationToken = default);

    /// <summary>Marks the subscriber inactive (blocked the bot, chat gone); no further sends.</summary>
    Task DeactivateAsync(string subscriberId, string reason, CancellationToken cancellationToken = default);

    /// <summary>Reactivates a subscriber that talks to the bot again.</summary>
    Task ReactivateAsync(string subscriberId, CancellationToken cancellationToken = default);

    /// <summary>Moves a subscriber with its subscriptions and pending alerts to a new address (Telegram supergroup migration).</summary>
    Task MigrateSubscriberAsync(string oldSubscriberId, Subscriber newSubscriber, CancellationToken cancellationToken = default);
}

/// <summary>A change feed page: apply <see cref="Removed"/> then <see cref="Added"/>, then remember <see cref="Version"/>.</summary>
public sealed record SubscriptionChanges(IReadOnlyList<Subscription> Added, IReadOnlyList<long> Removed, long Version);

/// <summary>Small durable settings of the adapters (for example Telegram's last handled update id).</summary>
public interface IKeyValueStore
{
    Task<string?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Kept until overwritten.</summary>
    Task SetAsync(string key, string value, CancellationToken cancellationToken = default);

    /// <summary>Reads as absent from <paramref name="expiresAt"/> on, and is then removed (button offers, undo data).</summary>
    Task SetAsync(string key, string value, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);
}
