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

/// <summary>An entry seen before whose text or time changed (SPEC §2 update): its alerts follow it, it is never alerted anew.</summary>
/// <param name="Item">The entry as the page shows it now.</param>
/// <param name="PreviousKey">
/// The key it was seen and alerted under: <see cref="TickerItem.Key"/> itself, or the key the entry had before a corrected
/// time or headline changed it (<see cref="TickerDiffer"/>).
/// </param>
public sealed record ItemUpdate(TickerItem Item, string PreviousKey);

/// <summary>Everything one successful poll changes, committed in one transaction (SPEC §6: a crash cannot lose or double an alert).</summary>
/// <param name="Items">Every item on the page: new ones are added to the seen-set, updated ones get their new hash, all get their last-seen time.</param>
/// <param name="Alerts">Outbox rows for the new items. A row whose (subscriber, source, key) exists already is ignored.</param>
/// <param name="Updates">
/// Entries that changed. Their outbox rows take the new text (and key): a row not sent yet goes out as it is now; a row
/// whose alert went out alone at or after <paramref name="EditableSince"/> becomes due as an edit of that message.
/// </param>
/// <param name="EditableSince">Alerts sent before this are left as they are (SPEC §4: 48 hours); null: none is edited.</param>
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
    IReadOnlyDictionary<string, string>? RenamedKeys = null,
    IReadOnlyList<ItemUpdate>? Updates = null,
    DateTimeOffset? EditableSince = null);

/// <summary>The seen-set and poll bookkeeping per source (SPEC §2). SQLite and PostgreSQL in Alerts.Storage.</summary>
public interface ITickerStateStore
{
    /// <summary>Null when the source never had a successful poll: the next one is the baseline.</summary>
    Task<SourceState?> GetStateAsync(string sourceId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Atomically updates the seen-set (bounded history per source, always longer than any page),
    /// the recent items kept for <c>/preview</c>, the validators and the success time, inserts the outbox rows, and brings
    /// the outbox rows of updated entries up to date (<see cref="PollCommit.Updates"/>).
    /// </summary>
    Task CommitPollAsync(PollCommit commit, CancellationToken cancellationToken = default);

    /// <summary>A 304 or an unchanged page: counts as a success, touches nothing else.</summary>
    Task RecordSuccessAsync(string sourceId, DateTimeOffset at, CancellationToken cancellationToken = default);

    Task RecordFailureAsync(string sourceId, string error, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>The newest items last seen on the source, newest first (for <c>/preview</c>).</summary>
    Task<IReadOnlyList<TickerItem>> GetRecentItemsAsync(string sourceId, int count, CancellationToken cancellationToken = default);
}
