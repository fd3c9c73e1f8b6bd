using Alerts.Core.Delivery;
using Alerts.Core.Tickers;

namespace Alerts.Core.Diffing;

/// <summary>What the store knows about one source between polls.</summary>
/// <param name="Seen">Seen-set by item key. Empty but non-null after a baseline of an empty page.</param>
/// <param name="ETag">Validator for conditional GET.</param>
/// <param name="LastModified">Validator for conditional GET.</param>
/// <param name="LastSuccessAt">Last poll that returned 200 or 304 and parsed.</param>
/// <param name="ConsecutiveFailures">Failures since the last success, for backoff and health.</param>
/// <param name="LastError">Last failure's message, for health.</param>
/// <param name="KeyScheme">The <see cref="ItemIdentity.CurrentKeyScheme"/> the seen-set was written with; an older one is re-keyed by the next poll.</param>
public sealed record SourceState(
    IReadOnlyDictionary<string, SeenItem> Seen,
    string? ETag,
    string? LastModified,
    DateTimeOffset? LastSuccessAt,
    int ConsecutiveFailures,
    string? LastError,
    int KeyScheme = ItemIdentity.CurrentKeyScheme);

/// <summary>An alert to enqueue: one per (subscriber, item).</summary>
public sealed record NewAlert(string SubscriberId, TickerItem Item, string Query, IReadOnlyList<string> Matched);

/// <summary>Everything one successful poll changes, committed in one transaction (SPEC §6: a crash cannot lose or double an alert).</summary>
/// <param name="Items">Every item on the page: new ones are added to the seen-set, updated ones get their new hash, all get their last-seen time.</param>
/// <param name="Alerts">Outbox rows for the new items. A row whose (subscriber, source, key) exists already is ignored.</param>
/// <param name="RenamedKeys">
/// Keys of an older scheme and what they are now (<see cref="ItemIdentity.UpgradeLegacyKeys"/>): the store renames them
/// in the seen-set, the recent items and the outbox before it records the page, and from then on reports
/// <see cref="ItemIdentity.CurrentKeyScheme"/>. Empty for every poll but the first after an upgrade.
/// </param>
public sealed record PollCommit(
    string SourceId,
    IReadOnlyList<TickerItem> Items,
    IReadOnlyList<NewAlert> Alerts,
    string? ETag,
    string? LastModified,
    DateTimeOffset PolledAt,
    IReadOnlyDictionary<string, string>? RenamedKeys = null);

/// <summary>The seen-set and poll bookkeeping per source (SPEC §2). SQLite and PostgreSQL in Alerts.Storage.</summary>
public interface ITickerStateStore
{
    /// <summary>Null when the source never had a successful poll: the next one is the baseline.</summary>
    Task<SourceState?> GetStateAsync(string sourceId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Atomically updates the seen-set (bounded history per source, always longer than any page),
    /// the recent items kept for <c>/preview</c>, the validators and the success time, and inserts the outbox rows.
    /// </summary>
    Task CommitPollAsync(PollCommit commit, CancellationToken cancellationToken = default);

    /// <summary>A 304 or an unchanged page: counts as a success, touches nothing else.</summary>
    Task RecordSuccessAsync(string sourceId, DateTimeOffset at, CancellationToken cancellationToken = default);

    Task RecordFailureAsync(string sourceId, string error, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>The newest items last seen on the source, newest first (for <c>/preview</c>).</summary>
    Task<IReadOnlyList<TickerItem>> GetRecentItemsAsync(string sourceId, int count, CancellationToken cancellationToken = default);
}
