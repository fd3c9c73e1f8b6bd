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

    /// <summary>The platform accepted the message.</summary>
    Task MarkSentAsync(long id, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>Ends the row as failed with its reason, visible to the operator.</summary>
    Task MarkFailedAsync(long id, string reason, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>Releases the lease and makes the row due again at <paramref name="notBefore"/>.</summary>
    Task RescheduleAsync(long id, DateTimeOffset notBefore, string reason, bool countsAsAttempt, CancellationToken cancellationToken = default);

    /// <summary>Counts by status, for health and metrics.</summary>
    Task<IReadOnlyDictionary<OutboxStatus, long>> CountByStatusAsync(CancellationToken cancellationToken = default);
}

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
