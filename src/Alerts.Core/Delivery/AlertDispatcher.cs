using Alerts.Core.Diagnostics;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tickers;
using Microsoft.Extensions.Logging;

namespace Alerts.Core.Delivery;

/// <summary>
/// Sends due outbox rows through the channel of each subscriber's platform, within the channels' rate limits, and
/// settles every row by what the platform answered (SPEC §6). Runs on the one instance that holds the <c>dispatch</c>
/// lease, so its limiter state is the cluster's. The loop only ties the parts together: <see cref="OutboxClaims"/>
/// (claiming and releasing rows), <see cref="DeliverySchedule"/> (per-subscriber queues, limits and the send pipeline),
/// <see cref="DeliverySettler"/> (sending and settling by <see cref="SendResult"/>).
/// </summary>
/// <remarks>
/// Claimed rows wait in memory at most <see cref="DispatchOptions.Horizon"/> ahead of their send time; rows that would
/// wait longer go back to the database with the time they may go out. A row is marked sent only after the platform
/// accepted it, so a crash re-sends at most the messages in flight (<see cref="DispatchOptions.MaxConcurrentSends"/>).
/// </remarks>
public sealed class AlertDispatcher
{
    private readonly Dictionary<string, IAlertChannel> channelsByPlatform = new(StringComparer.Ordinal);
    private readonly TimeProvider time;
    private readonly DispatchOptions options;
    private readonly ILogger logger;
    private readonly OutboxClaims claims;
    private readonly DeliverySchedule schedule;
    private readonly SubscriberDirectory subscribers;
    private readonly DeliverySettler settler;
    private readonly Lock gate = new();
    private readonly HashSet<Task> sending = [];
    private readonly SemaphoreSlim wake = new(0);
    private readonly RepeatedFailureLog failureLog;

    public AlertDispatcher(
        IOutboxStore outbox,
        ISubscriptionStore subscriptions,
        IEnumerable<IAlertChannel> channels,
        IEnumerable<SourceDefinition> sources,
        DispatchOptions options,
        TimeProvider time,
        IDeliveryObserver observer,
        ILogger<AlertDispatcher> logger,
        DeliveryRateLimiter? limiter = null)
    {
        this.time = time;
        this.options = options;
        this.logger = logger;
        failureLog = new RepeatedFailureLog(TimeSpan.FromMinutes(1), time);
        foreach (var channel in channels)
        {
            foreach (var platform in channel.Platforms)
            {
                if (!channelsByPlatform.TryAdd(platform, channel))
                {
                    throw new InvalidOperationException($"Two alert channels deliver to platform '{platform}'.");
                }
            }
        }

        Limiter = limiter ?? new DeliveryRateLimiter();
        claims = new OutboxClaims(outbox, options);
        schedule = new DeliverySchedule(Limiter, options.MaxConcurrentSends);
        subscribers = new SubscriberDirectory(subscriptions, options);
        settler = new DeliverySettler(
            outbox, subscribers, schedule, claims, Limiter, sources.ToDictionary(s => s.Id, StringComparer.Ordinal), options, time, observer, logger);
    }

    /// <summary>The limits alerts are sent within; command replies of the adapters share it.</summary>
    public DeliveryRateLimiter Limiter { get; }

    /// <summary>Rows held in memory (claimed, not yet settled).</summary>
    public int HeldCount => schedule.HeldCount;

    /// <summary>Messages sent and not yet settled.</summary>
    public int InFlight => schedule.InFlight;

    /// <summary>New rows are in the outbox (a poll committed some): claim now instead of at the next idle poll.</summary>
    public void Signal()
    {
        claims.Signal();
        Wake();
    }

    /// <summary>
    /// Dispatches until <paramref name="mayDispatch"/> turns false (the lease is gone) or cancellation. First makes the
    /// rows a previous dispatcher left claimed due again: it is gone, and nothing of it must wait for a timeout.
    /// </summary>
    public async Task RunAsync(string owner, Func<bool> mayDispatch, CancellationToken cancellationToken)
    {
        try
        {
            await ReleaseOrphansAsync(cancellationToken);
            while (!cancellationToken.IsCancellationRequested && mayDispatch())
            {
                DateTimeOffset next;
                try
                {
                    next = await StepAsync(owner, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The database may be down: keep the loop alive and try again after a pause; one line a minute, not one a step.
                    if (failureLog.ShouldLog(e.Message, out var suppressed))
                    {
                        if (suppressed == 0)
                        {
                            logger.LogError(e, "Dispatch step failed");
                        }
                        else
                        {
                            logger.LogError("Dispatch step still failing ({Suppressed} more since the last line): {Error}", suppressed, e.Message);
                        }
                    }

                    next = time.GetUtcNow() + options.IdlePollInterval;
                }

                var delay = next - time.GetUtcNow();
                if (delay > options.IdlePollInterval)
                {
                    delay = options.IdlePollInterval;
                }

                if (delay > TimeSpan.Zero)
                {
                    await WaitAsync(delay, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            await DrainAsync();
            await ReleaseHeldAsync();
        }
    }

    /// <summary>
    /// One round: claims rows when few are held, starts every send the limits and the pipeline allow now, and returns
    /// when the next round has something to do. Sends run in the background; <see cref="DrainAsync"/> awaits them.
    /// </summary>
    public async Task<DateTimeOffset> StepAsync(string owner, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var want = claims.Wanted(schedule.HeldCount, now);
        if (want > 0)
        {
            foreach (var row in await claims.ClaimAsync(owner, want, now, cancellationToken))
            {
                await AdmitAsync(row, now, cancellationToken);
            }
        }

        // With more than half a batch held, the next claim waits for sends to finish (they wake the loop).
        var next = schedule.HeldCount <= options.BatchSize / 2 ? claims.NextClaimAt : DateTimeOffset.MaxValue;

        // Permits are taken at the time the sends start, not when this round began: the claim may have taken a while,
        // and a permit dated earlier than its message would let the next window open too soon.
        foreach (var message in schedule.TakeReady(time.GetUtcNow(), ref next))
        {
            var task = SendAsync(message, cancellationToken);
            lock (gate)
            {
                if (!task.IsCompleted)
                {
                    sending.Add(task);
                }
            }
        }

        return next;
    }

    /// <summary>Waits for every send in flight to be settled.</summary>
    public async Task DrainAsync()
    {
        while (true)
        {
            Task[] pending;
            lock (gate)
            {
                sending.RemoveWhere(t => t.IsCompleted);
                pending = [.. sending];
            }

            if (pending.Length == 0)
            {
                return;
            }

            await Task.WhenAll(pending);
        }
    }

    private async Task ReleaseOrphansAsync(CancellationToken cancellationToken)
    {
        try
        {
            var released = await claims.ReleaseOrphansAsync(time.GetUtcNow(), cancellationToken);
            if (released > 0)
            {
                logger.LogInformation("Released {Count} outbox rows claimed by a dispatcher that is gone", released);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not release claims of an earlier dispatcher; they become due when their claim ends");
        }
    }

    private async Task AdmitAsync(OutboxAlert row, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (schedule.IsHeld(row.Id))
        {
            // Our claim ran out while the row waited in memory and we claimed it again: it is already queued.
            return;
        }

        var to = await subscribers.GetAsync(row.SubscriberId, now, cancellationToken);
        if (to is null || !to.Active)
        {
            var reason = to is null ? "subscriber no longer exists" : $"subscriber inactive: {to.DeactivatedReason ?? "deactivated"}";
            await settler.FailAsync(row, to?.Platform ?? "unknown", reason, FailureReasons.Inactive, now, cancellationToken);
            return;
        }

        if (to.Paused && !row.IsEdit)
        {
            // /pause means "no alerts until /resume", not "later": what piled up meanwhile is dropped. An edit of an alert
            // already in the chat still goes: it is silent, and it corrects what the subscriber has read.
            await settler.FailAsync(row, to.Platform, "subscriber paused", FailureReasons.Paused, now, cancellationToken);
            return;
        }

        if (!channelsByPlatform.TryGetValue(to.Platform, out var channel))
        {
            await settler.RetryAsync(row, to.Platform, $"no channel configured for platform '{to.Platform}'", options.NoChannelRetryDelay, FailureReasons.NoChannel, now, cancellationToken);
            return;
        }

        // Only the subscriber's own limits decide what waits in the database: rows held back by the channel's global
        // limit stay here (at most a batch), in order, and go out as fast as the platform allows.
        var estimate = schedule.EstimateFor(channel, to, now);
        if (estimate <= now + options.Horizon)
        {
            schedule.Enqueue(new PendingAlert(row, to, channel), heldBack: claims.WasHeldBack(row.Id));
            return;
        }

        // Too far ahead to keep in memory: back to the database with the time it may go out, not counted as an attempt.
        await claims.HoldBackAsync(row.Id, estimate, cancellationToken);
    }

    private async Task SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        // Let StepAsync finish starting the other sends before this one runs its continuation.
        await Task.Yield();
        try
        {
            await settler.SendAsync(message, cancellationToken);
        }
        finally
        {
            Wake();
        }
    }

    private async Task ReleaseHeldAsync()
    {
        try
        {
            await claims.ReleaseAsync(schedule.Clear(), time.GetUtcNow());
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not release the held outbox rows; the next dispatcher releases them when it starts");
        }
    }

    private async Task WaitAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delayTask = Task.Delay(delay, time, cts.Token);
        var wakeTask = wake.WaitAsync(cts.Token);
        await Task.WhenAny(delayTask, wakeTask);
        await cts.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
    }

    private void Wake()
    {
        if (wake.CurrentCount == 0)
        {
            wake.Release();
        }
    }
}
