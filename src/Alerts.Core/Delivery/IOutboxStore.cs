namespace Alerts.Core.Delivery;

/// <summary>The durable outbox (SPEC §6). Rows are inserted by <see cref="Diffing.ITickerStateStore.CommitPollAsync"/>.</summary>
public interface IOutboxStore
{
    /// <summary>
    /// Leases up to <paramref name="max"/> pending rows that are due, oldest first, to <paramref name="owner"/> until
    /// <paramref name="now"/> + <paramref name="lease"/>. A row leased by a process that died becomes due again when its lease ends.
    /// </summary>
    Task<IReadOnlyList<OutboxAlert>> ClaimDueAsync(string owner, int max, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes every claimed pending row due at <paramref name="now"/>. Called by a dispatcher when it starts: only the
    /// holder of the <c>dispatch</c> lease claims rows, and it has none in memory yet, so every claim in the table was
    /// made by a dispatcher that is gone (a crashed process, or an instance that lost the lease and stopped sending).
    /// Returns how many rows were released.
    /// </summary>
    Task<int> ReleaseClaimsAsync(DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// The platform accepted the row's message: the alert, or an edit of it. With a <paramref name="receipt"/> naming a
    /// message, the row keeps it for later edits, and a row updated since it was claimed (a newer revision than the
    /// receipt's) stays due, now as an edit of that message. <c>sent_at</c> is set by the first acceptance only, so an
    /// edit does not extend the time in which the alert follows its entry.
    /// </summary>
    Task MarkSentAsync(long id, DateTimeOffset at, SentReceipt? receipt = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Ends the row as failed with its reason, visible to the operator. A row whose alert went out already (one with a
    /// <see cref="OutboxAlert.Message"/>) stays sent: only its edit is given up, with the reason kept.
    /// </summary>
    Task MarkFailedAsync(long id, string reason, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>Releases the lease and makes the row due again at <paramref name="notBefore"/>.</summary>
    Task RescheduleAsync(long id, DateTimeOffset notBefore, string reason, bool countsAsAttempt, CancellationToken cancellationToken = default);

    /// <summary>Counts by status, for health and metrics.</summary>
    Task<IReadOnlyDictionary<OutboxStatus, long>> CountByStatusAsync(CancellationToken cancellationToken = default);
}

/// <summary>What the platform's acceptance of a row's message leaves in the row.</summary>
/// <param name="Revision">The <see cref="OutboxAlert.Revision"/> that went out.</param>
/// <param name="Message">
/// Where the platform put the message, when the row went alone and the channel said; null for a combined backlog
/// message, which is never edited (SPEC §4 edits follow one entry; a backlog shows ten).
/// </param>
public sealed record SentReceipt(int Revision, PlatformMessage? Message);

/// <summary>
/// Named leases shared by all instances through the database: a source is polled by the holder of
/// <c>poll:{sourceId}</c>, and the dispatcher (and with it the cluster-wide rate limits) runs on the holder of <c>dispatch</c>.
/// </summary>
public interface ILeaseStore
{
    /// <summary>Takes or renews the lease when it is free, expired, or already ours.</summary>
    Task<bool> TryAcquireAsync(string name, string owner, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken = default);

    Task ReleaseAsync(string name, string owner, CancellationToken cancellationToken = default);
}
