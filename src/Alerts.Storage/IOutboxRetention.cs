namespace Alerts.Storage;

/// <summary>Housekeeping of the outbox, for a daily job of the host.</summary>
public interface IOutboxRetention
{
    /// <summary>
    /// Deletes sent and failed rows that finished before <paramref name="finishedBefore"/>; pending rows are never touched.
    /// Keep weeks, not hours: a finished row is also what stops the same (subscriber, item) from being enqueued again.
    /// </summary>
    /// <returns>How many rows were deleted.</returns>
    Task<int> PurgeFinishedAsync(DateTimeOffset finishedBefore, CancellationToken cancellationToken = default);
}
