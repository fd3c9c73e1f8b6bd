namespace Alerts.Core.Delivery;

/// <summary>
/// Claiming due rows from the outbox and handing them back: when to claim next (a signal from a poll, the time a
/// row that was put back becomes due, else the idle poll), and releasing rows when a dispatcher starts or stops so that
/// nothing waits for a claim to run out. Thread-safe.
/// </summary>
internal sealed class OutboxClaims(IOutboxStore outbox, DispatchOptions options)
{
    private readonly Lock gate = new();
    private readonly PriorityQueue<DateTimeOffset, DateTimeOffset> putBack = new();
    private readonly HashSet<long> heldBackBySubscriberLimit = [];
    private DateTimeOffset nextClaimAt = DateTimeOffset.MinValue;
    private long signals;

    /// <summary>When the next claim is due (unless a send frees room and the dispatcher asks earlier).</summary>
    public DateTimeOffset NextClaimAt
    {
        get
        {
            lock (gate)
            {
                return nextClaimAt;
            }
        }
    }

    /// <summary>New rows were committed: claim at once.</summary>
    public void Signal()
    {
        lock (gate)
        {
            nextClaimAt = DateTimeOffset.MinValue;
            signals++;
        }
    }

    /// <summary>How many rows to claim now, holding <paramref name="held"/>: a batch's worth once half of it has gone out.</summary>
    public int Wanted(int held, DateTimeOffset now)
    {
        lock (gate)
        {
            return held <= options.BatchSize / 2 && now >= nextClaimAt ? options.BatchSize - held : 0;
        }
    }

    public async Task<IReadOnlyList<OutboxAlert>> ClaimAsync(string owner, int want, DateTimeOffset now, CancellationToken cancellationToken)
    {
        long signalsBefore;
        lock (gate)
        {
            signalsBefore = signals;
        }

        var rows = await outbox.ClaimDueAsync(owner, want, now, options.ClaimLease, cancellationToken);
        lock (gate)
        {
            while (putBack.TryPeek(out var due, out _) && due <= now)
            {
                putBack.Dequeue();
            }

            // A signal during the claim may be for a row committed after the claim looked: claim again at once.
            nextClaimAt = rows.Count >= want || signals != signalsBefore ? now
                : putBack.TryPeek(out var soonest, out _) && soonest < now + options.IdlePollInterval ? soonest
                : now + options.IdlePollInterval;
        }

        return rows;
    }

    /// <summary>A row we put back becomes due at <paramref name="at"/>: claim then rather than at the next idle poll.</summary>
    public void NoteDueAt(DateTimeOffset at)
    {
        lock (gate)
        {
            putBack.Enqueue(at, at);
            if (at < nextClaimAt)
            {
                nextClaimAt = at;
            }
        }
    }

    /// <summary>Puts a row back into the database, due at <paramref name="at"/>, and remembers to claim it then.</summary>
    public async Task PutBackAsync(long id, DateTimeOffset at, string reason, bool countsAsAttempt, CancellationToken cancellationToken)
    {
        await outbox.RescheduleAsync(id, at, reason, countsAsAttempt, cancellationToken);
        NoteDueAt(at);
    }

    /// <summary>
    /// Puts a row back that its subscriber's own limit holds back for longer than the horizon: when it comes back it
    /// is part of that subscriber's backlog (<see cref="WasHeldBack"/>) and goes out combined with the rest.
    /// </summary>
    public async Task HoldBackAsync(long id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await PutBackAsync(id, at, "rate limit", countsAsAttempt: false, cancellationToken);
        lock (gate)
        {
            heldBackBySubscriberLimit.Add(id);
        }
    }

    /// <summary>True once for a row <see cref="HoldBackAsync"/> put back (in this process).</summary>
    public bool WasHeldBack(long id)
    {
        lock (gate)
        {
            return heldBackBySubscriberLimit.Remove(id);
        }
    }

    /// <summary>Rows claimed by a dispatcher that is gone become due now (see <see cref="IOutboxStore.ReleaseClaimsAsync"/>).</summary>
    public Task<int> ReleaseOrphansAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        outbox.ReleaseClaimsAsync(now, cancellationToken);

    /// <summary>Hands our unsent rows back, due now, so the next lease holder need not wait for anything.</summary>
    public async Task ReleaseAsync(IReadOnlyList<long> ids, DateTimeOffset now)
    {
        lock (gate)
        {
            // Whoever dispatches next starts afresh; rows put back may be claimed elsewhere and never come back here.
            heldBackBySubscriberLimit.Clear();
        }

        foreach (var id in ids)
        {
            await outbox.RescheduleAsync(id, now, "dispatcher stopped", countsAsAttempt: false, CancellationToken.None);
        }
    }
}
