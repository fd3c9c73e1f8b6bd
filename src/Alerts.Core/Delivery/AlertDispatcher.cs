using System.Collections.Concurrent;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tickers;
using Microsoft.Extensions.Logging;

namespace Alerts.Core.Delivery;

/// <summary>
/// Sends due outbox rows through the channel of each subscriber's platform, within the channels' rate limits,
/// and settles every row by what the platform answered (SPEC §6). Runs on the one instance that holds the
/// <c>dispatch</c> lease, so its in-memory limiter state is the cluster's.
/// </summary>
/// <remarks>
/// Claimed rows wait in memory in one queue per subscriber, at most <see cref="DispatchOptions.Horizon"/> ahead of
/// their send time; rows that would wait longer go back to the database with the time they may go out. A row is
/// marked sent only after the platform accepted it, so a crash re-sends at most the messages in flight.
/// </remarks>
public sealed class AlertDispatcher
{
    private readonly IOutboxStore outbox;
    private readonly ISubscriptionStore subscriptions;
    private readonly Dictionary<string, IAlertChannel> channelsByPlatform = new(StringComparer.Ordinal);
    private readonly DeliveryRateLimiter limiter = new();
    private readonly TimeProvider time;
    private readonly DispatchOptions options;
    private readonly IDeliveryObserver observer;
    private readonly Dictionary<string, SourceDefinition> sources;
    private readonly ILogger logger;

    private readonly Lock gate = new();
    private readonly Dictionary<long, Held> held = [];
    private readonly Dictionary<string, SubscriberQueue> queues = new(StringComparer.Ordinal);
    private readonly List<SubscriberQueue> ring = [];
    private readonly Dictionary<IAlertChannel, int> queuedPerChannel = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<Task> inFlightTasks = [];
    private readonly ConcurrentDictionary<string, (Subscriber? Subscriber, DateTimeOffset FetchedAt)> subscriberCache = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim wake = new(0);
    private int inFlight;
    private long signals;
    private DateTimeOffset nextClaimAt = DateTimeOffset.MinValue;
    private readonly PriorityQueue<DateTimeOffset, DateTimeOffset> putBack = new();

    public AlertDispatcher(
        IOutboxStore outbox,
        ISubscriptionStore subscriptions,
        IEnumerable<IAlertChannel> channels,
        IEnumerable<SourceDefinition> sources,
        DispatchOptions options,
        TimeProvider time,
        IDeliveryObserver observer,
        ILogger<AlertDispatcher> logger)
    {
        this.outbox = outbox;
        this.subscriptions = subscriptions;
        this.time = time;
        this.options = options;
        this.observer = observer;
        this.logger = logger;
        this.sources = sources.ToDictionary(s => s.Id, StringComparer.Ordinal);
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
    }

    /// <summary>Rows held in memory (claimed, not yet settled).</summary>
    public int HeldCount
    {
        get
        {
            lock (gate)
            {
                return held.Count;
            }
        }
    }

    /// <summary>New rows are in the outbox (a poll committed some): claim now instead of at the next idle poll.</summary>
    public void Signal()
    {
        lock (gate)
        {
            nextClaimAt = DateTimeOffset.MinValue;
            signals++;
        }

        Wake();
    }

    /// <summary>Dispatches until <paramref name="mayDispatch"/> turns false (the lease is gone) or cancellation.</summary>
    public async Task RunAsync(string owner, Func<bool> mayDispatch, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested && mayDispatch())
            {
                DateTimeOffset next;
                try
                {
                    next = await StepAsync(owner, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The database may be down: keep the loop alive and try again after a pause.
                    logger.LogError(e, "Dispatch step failed");
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
    /// One round: claims rows when few are held, starts every send the limits allow now, and returns when the
    /// next round has something to do. Sends run in the background; <see cref="DrainAsync"/> awaits them.
    /// </summary>
    public async Task<DateTimeOffset> StepAsync(string owner, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        int want;
        long signalsBefore;
        lock (gate)
        {
            want = held.Count <= options.BatchSize / 2 && now >= nextClaimAt ? options.BatchSize - held.Count : 0;
            signalsBefore = signals;
        }

        if (want > 0)
        {
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

            foreach (var row in rows)
            {
                await AdmitAsync(row, now, cancellationToken);
            }
        }

        var toSend = new List<Held>();
        DateTimeOffset next;
        lock (gate)
        {
            // With more than half a batch held, the next claim waits for sends to finish (they wake the loop).
            next = held.Count <= options.BatchSize / 2 ? nextClaimAt : DateTimeOffset.MaxValue;
            for (var i = 0; i < ring.Count; i++)
            {
                var queue = ring[i];
                if (queue.InFlight || queue.Rows.Count == 0)
                {
                    continue;
                }

                var head = queue.Rows.First!.Value;
                if (inFlight < options.MaxConcurrentSends && limiter.TryAcquire(head.Channel, head.To, now))
                {
                    queue.Rows.RemoveFirst();
                    queuedPerChannel[head.Channel]--;
                    queue.InFlight = true;
                    inFlight++;
                    toSend.Add(head);
                }
                else if (inFlight < options.MaxConcurrentSends)
                {
                    var earliest = limiter.EarliestFor(head.Channel, head.To, now);
                    if (earliest < next)
                    {
                        next = earliest;
                    }
                }
            }

            ring.RemoveAll(q => !q.InFlight && q.Rows.Count == 0 && queues.Remove(q.SubscriberId));
        }

        foreach (var row in toSend)
        {
            var task = SendAsync(row, cancellationToken);
            lock (gate)
            {
                if (!task.IsCompleted)
                {
                    inFlightTasks.Add(task);
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
                inFlightTasks.RemoveWhere(t => t.IsCompleted);
                pending = [.. inFlightTasks];
            }

            if (pending.Length == 0)
            {
                return;
            }

            await Task.WhenAll(pending);
        }
    }

    private async Task AdmitAsync(OutboxAlert row, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (held.ContainsKey(row.Id))
            {
                // Our claim ran out while the row waited in memory and we claimed it again: it is already queued.
                return;
            }
        }

        var to = await GetSubscriberAsync(row.SubscriberId, now, cancellationToken);
        if (to is null || !to.Active)
        {
            var reason = to is null ? "subscriber no longer exists" : $"subscriber inactive: {to.DeactivatedReason ?? "deactivated"}";
            await FailAsync(row, to?.Platform ?? "unknown", reason, FailureReasons.Inactive, now, cancellationToken);
            return;
        }

        if (to.Paused)
        {
            // /pause means "no alerts until /resume", not "later": what piled up meanwhile is dropped.
            await FailAsync(row, to.Platform, "subscriber paused", FailureReasons.Paused, now, cancellationToken);
            return;
        }

        if (!channelsByPlatform.TryGetValue(to.Platform, out var channel))
        {
            await RetryAsync(row, to.Platform, $"no channel configured for platform '{to.Platform}'", options.NoChannelRetryDelay, FailureReasons.NoChannel, now, cancellationToken);
            return;
        }

        DateTimeOffset estimate;
        lock (gate)
        {
            // Only the subscriber's own limits decide what waits in the database: rows held back by the channel's
            // global limit stay here (at most a batch), in order, and go out as fast as the platform allows.
            var queued = queues.TryGetValue(to.Id, out var q) ? q.Rows.Count + (q.InFlight ? 1 : 0) : 0;
            estimate = limiter.EstimateForSubscriber(channel, to, now, queued);
            if (estimate <= now + options.Horizon)
            {
                Enqueue(new Held(row, to, channel), atFront: false);
                return;
            }

            NoteDueAt(estimate);
        }

        // Too far ahead to keep in memory: back to the database with the time it may go out, not counted as an attempt.
        await outbox.RescheduleAsync(row.Id, estimate, "rate limit", countsAsAttempt: false, cancellationToken);
    }

    /// <summary>A row we put back becomes due at <paramref name="at"/>: claim then rather than at the next idle poll.</summary>
    private void NoteDueAt(DateTimeOffset at)
    {
        putBack.Enqueue(at, at);
        if (at < nextClaimAt)
        {
            nextClaimAt = at;
        }
    }

    private void Enqueue(Held row, bool atFront)
    {
        if (!queues.TryGetValue(row.To.Id, out var queue))
        {
            queue = new SubscriberQueue(row.To.Id);
            queues[row.To.Id] = queue;
            ring.Add(queue);
        }

        if (atFront)
        {
            queue.Rows.AddFirst(row);
        }
        else
        {
            queue.Rows.AddLast(row);
        }

        held[row.Alert.Id] = row;
        queuedPerChannel[row.Channel] = queuedPerChannel.GetValueOrDefault(row.Channel) + 1;
    }

    private async Task SendAsync(Held row, CancellationToken cancellationToken)
    {
        // Let StepAsync finish starting the other sends before this one runs its continuation.
        await Task.Yield();
        try
        {
            await SendAndSettleAsync(row, cancellationToken);
        }
        catch (Exception e)
        {
            // Settling failed (database down?): drop the row from memory; its claim runs out and it is claimed again.
            logger.LogError(e, "Could not settle outbox row {Id}", row.Alert.Id);
            lock (gate)
            {
                held.Remove(row.Alert.Id);
            }
        }
        finally
        {
            lock (gate)
            {
                if (queues.TryGetValue(row.QueueId, out var queue))
                {
                    queue.InFlight = false;
                }

                inFlight--;
            }

            Wake();
        }
    }

    private async Task SendAndSettleAsync(Held row, CancellationToken cancellationToken)
    {
        var alert = row.Alert;
        var context = new AlertContext(
            sources.TryGetValue(alert.SourceId, out var source) ? source.DisplayName : alert.SourceId,
            FindTimeZone(row.To.TimeZone));

        SendResult result;
        try
        {
            result = await row.Channel.SendAsync(alert, context, row.To, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            result = new SendResult.Transient($"{e.GetType().Name}: {e.Message}");
        }

        var now = time.GetUtcNow();
        switch (result)
        {
            case SendResult.Sent:
                await outbox.MarkSentAsync(alert.Id, now, CancellationToken.None);
                Forget(alert.Id);
                observer.Sent(alert, row.To.Platform, now);
                break;

            case SendResult.RateLimited limited:
                observer.Retried(alert, row.To.Platform, "rate_limited");
                lock (gate)
                {
                    if (limited.Global)
                    {
                        limiter.PauseChannel(row.Channel, now + limited.RetryAfter);
                    }
                    else
                    {
                        limiter.PauseSubscriber(row.Channel, row.To, now + limited.RetryAfter);
                    }

                    if (limited.RetryAfter <= options.Horizon)
                    {
                        // Stays first in its subscriber's queue; the pause keeps it (and only it) waiting.
                        held.Remove(alert.Id);
                        Enqueue(row, atFront: true);
                        break;
                    }
                }

                await outbox.RescheduleAsync(alert.Id, now + limited.RetryAfter, limited.Reason, countsAsAttempt: false, CancellationToken.None);
                lock (gate)
                {
                    NoteDueAt(now + limited.RetryAfter);
                }

                Forget(alert.Id);
                break;

            case SendResult.Transient transient:
                await RetryAsync(alert, row.To.Platform, transient.Reason, options.RetryDelay(alert.Attempts + 1), FailureReasons.RetriesExhausted, now, CancellationToken.None);
                Forget(alert.Id);
                break;

            case SendResult.Permanent permanent:
                await FailAsync(alert, row.To.Platform, permanent.Reason, FailureReasons.Permanent, now, CancellationToken.None);
                Forget(alert.Id);
                break;

            case SendResult.SubscriberGone gone:
                await subscriptions.DeactivateAsync(row.To.Id, gone.Reason, CancellationToken.None);
                subscriberCache[row.To.Id] = (row.To with { Active = false, DeactivatedReason = gone.Reason }, now);
                await FailAsync(alert, row.To.Platform, gone.Reason, FailureReasons.SubscriberGone, now, CancellationToken.None);
                Forget(alert.Id);
                await FailQueuedAsync(row.To.Id, $"subscriber gone: {gone.Reason}", FailureReasons.SubscriberGone, now);
                break;

            case SendResult.Migrated migrated:
                await MigrateAsync(row, migrated.NewAddress, now);
                break;
        }
    }

    private async Task MigrateAsync(Held row, string newAddress, DateTimeOffset now)
    {
        var alert = row.Alert;
        var newId = Subscriber.MakeId(row.To.Platform, newAddress);
        if (row.Migrated || newId == row.To.Id)
        {
            await FailAsync(alert, row.To.Platform, $"migrated again to {newAddress}", FailureReasons.Migration, now, CancellationToken.None);
            Forget(alert.Id);
            return;
        }

        var target = row.To with { Id = newId, Address = newAddress };
        await subscriptions.MigrateSubscriberAsync(row.To.Id, target, CancellationToken.None);
        subscriberCache.TryRemove(row.To.Id, out _);
        subscriberCache[newId] = (target, now);
        logger.LogInformation("Subscriber {Old} moved to {New}", row.To.Id, newId);

        lock (gate)
        {
            held.Remove(alert.Id);

            // The store moved the pending rows; the ones waiting here follow them to the new address.
            if (queues.TryGetValue(row.To.Id, out var old))
            {
                var waiting = old.Rows.ToList();
                old.Rows.Clear();
                foreach (var w in waiting)
                {
                    held.Remove(w.Alert.Id);
                    queuedPerChannel[w.Channel]--;
                    Enqueue(new Held(w.Alert with { SubscriberId = newId }, target, w.Channel) { Migrated = true }, atFront: false);
                }
            }

            Enqueue(new Held(alert with { SubscriberId = newId }, target, row.Channel) { Migrated = true }, atFront: true);
        }
    }

    private async Task FailQueuedAsync(string subscriberId, string reason, string category, DateTimeOffset now)
    {
        List<Held> waiting;
        lock (gate)
        {
            if (!queues.TryGetValue(subscriberId, out var queue))
            {
                return;
            }

            waiting = [.. queue.Rows];
            queue.Rows.Clear();
            foreach (var w in waiting)
            {
                held.Remove(w.Alert.Id);
                queuedPerChannel[w.Channel]--;
            }
        }

        foreach (var w in waiting)
        {
            await FailAsync(w.Alert, w.To.Platform, reason, category, now, CancellationToken.None);
        }
    }

    private async Task RetryAsync(OutboxAlert alert, string platform, string reason, TimeSpan delay, string exhaustedCategory, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var attempts = alert.Attempts + 1;
        if (attempts >= options.MaxAttempts || now - alert.EnqueuedAt >= options.MaxAge)
        {
            await FailAsync(alert, platform, $"{reason} (gave up after {attempts} attempts)", exhaustedCategory, now, cancellationToken);
            return;
        }

        await outbox.RescheduleAsync(alert.Id, now + delay, reason, countsAsAttempt: true, cancellationToken);
        lock (gate)
        {
            NoteDueAt(now + delay);
        }

        observer.Retried(alert, platform, "transient");
    }

    private async Task FailAsync(OutboxAlert alert, string platform, string reason, string category, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await outbox.MarkFailedAsync(alert.Id, reason, now, cancellationToken);
        observer.Failed(alert, platform, category);
        logger.LogWarning("Alert {Id} for {Subscriber} failed: {Reason}", alert.Id, alert.SubscriberId, reason);
    }

    private void Forget(long id)
    {
        lock (gate)
        {
            held.Remove(id);
        }
    }

    private async Task<Subscriber?> GetSubscriberAsync(string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (subscriberCache.TryGetValue(id, out var cached) && now - cached.FetchedAt < options.SubscriberCacheDuration)
        {
            return cached.Subscriber;
        }

        if (subscriberCache.Count > 100_000)
        {
            subscriberCache.Clear();
        }

        var subscriber = await subscriptions.GetSubscriberAsync(id, cancellationToken);
        subscriberCache[id] = (subscriber, now);
        return subscriber;
    }

    private async Task ReleaseHeldAsync()
    {
        List<long> ids;
        lock (gate)
        {
            ids = [.. held.Keys];
            held.Clear();
            queues.Clear();
            ring.Clear();
            queuedPerChannel.Clear();
        }

        // Hand unsent rows back at once, so the next lease holder need not wait for our claims to run out.
        var now = time.GetUtcNow();
        foreach (var id in ids)
        {
            try
            {
                await outbox.RescheduleAsync(id, now, "dispatcher stopped", countsAsAttempt: false, CancellationToken.None);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Could not release outbox row {Id}; it becomes due when its claim ends", id);
                break;
            }
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

    private static TimeZoneInfo FindTimeZone(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        }
    }

    private sealed record Held(OutboxAlert Alert, Subscriber To, IAlertChannel Channel)
    {
        public bool Migrated { get; init; }

        public string QueueId => To.Id;
    }

    private sealed class SubscriberQueue(string subscriberId)
    {
        public string SubscriberId { get; } = subscriberId;

        public LinkedList<Held> Rows { get; } = new();

        public bool InFlight { get; set; }
    }
}
