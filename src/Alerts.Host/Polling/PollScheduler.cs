using Alerts.Core.Delivery;
using Alerts.Core.Diagnostics;
using Alerts.Core.Tickers;
using Alerts.Host.Operations;
using Alerts.Host.Options;
using Hangfire;
using Hangfire.States;
using Microsoft.Extensions.Options;

namespace Alerts.Host.Polling;

/// <summary>
/// Starts a poll of every source whose time has come and whose <c>poll:{id}</c> lease this process holds,
/// as a Hangfire job on this process's own queue.
/// </summary>
/// <remarks>
/// Why not a Hangfire recurring job per source: cron fires at most once a minute and a source may ask for
/// 2 s; a self-rescheduling job loses its chain when a process dies between run and reschedule. Here a loop
/// on every instance asks "is it due, and is the lease mine?" once a second, and the lease makes sure one
/// instance at a time polls each source. The poll itself is a Hangfire job (visible, timed, cancelled on
/// shutdown) on this instance's queue; the next one is due an interval after it finished (backed off
/// exponentially while the source fails), so polls of one source never overlap. A poll that outlives its
/// timeout is reported as stalled, never doubled: a second poll would only take a second worker.
/// </remarks>
internal sealed class PollScheduler(
    IOptions<AlertsOptions> options,
    IOptions<PollingOptions> polling,
    IOptions<LeaseOptions> leaseOptions,
    ILeaseStore leases,
    IBackgroundJobClient jobs,
    JobStorage jobStorage,
    InstanceIdentity instance,
    SourcePoller poller,
    AlertsMetrics metrics,
    TimeProvider time,
    ILogger<PollScheduler> logger) : BackgroundService
{
    private readonly Dictionary<string, Slot> slots = new(StringComparer.Ordinal);
    private readonly Lock gate = new();
    private readonly SemaphoreSlim wake = new(0);
    private readonly RepeatedFailureLog failureLog = new(TimeSpan.FromMinutes(1), time);

    public static string LeaseName(string sourceId) => $"poll:{sourceId}";

    /// <summary>Delay after <paramref name="failures"/> failed polls in a row: doubles from the interval, capped.</summary>
    public static TimeSpan Backoff(TimeSpan interval, int failures, TimeSpan max)
    {
        if (failures <= 0)
        {
            return interval;
        }

        var cap = max > interval ? max : interval;
        var delay = interval * Math.Pow(2, Math.Min(failures, 30));
        return delay > cap ? cap : delay;
    }

    /// <summary>Called by <see cref="PollJob"/> when a poll is over: schedules the next one.</summary>
    public void Completed(string sourceId)
    {
        var source = options.Value.Sources.Find(s => s.Id == sourceId);
        lock (gate)
        {
            if (source is null || !slots.TryGetValue(sourceId, out var slot))
            {
                return;
            }

            var status = poller.Status(sourceId);
            slot.Running = false;
            slot.JobId = null;
            status.StalledSince = null;
            slot.NextDue = time.GetUtcNow() + Backoff(source.PollInterval, status.ConsecutiveFailures, polling.Value.MaxBackoff);
            status.NextPollAt = slot.NextDue;
        }

        if (wake.CurrentCount == 0)
        {
            wake.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var config = options.Value;
        if (!polling.Value.Enabled || config.Sources.Count == 0)
        {
            logger.LogInformation("Polling is off ({Reason})", polling.Value.Enabled ? "no sources configured" : "Alerts:Polling:Enabled is false");
            return;
        }

        lock (gate)
        {
            foreach (var source in config.Sources)
            {
                slots[source.Id] = new Slot();
            }
        }

        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var source in config.Sources)
                {
                    await ConsiderAsync(source, stoppingToken);
                }

                if (failures > 0)
                {
                    logger.LogInformation("Poll scheduling works again after {Failures} failed attempts", failures);
                    failures = 0;
                    failureLog.Clear();
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Usually the database (leases live there): back off, and one line a minute rather than a stack trace every 10 ms.
                failures++;
                if (failureLog.ShouldLog(e.Message, out var suppressed))
                {
                    if (failures == 1)
                    {
                        logger.LogError(e, "Poll scheduling failed; retrying with backoff");
                    }
                    else
                    {
                        logger.LogError("Poll scheduling still failing ({Failures} attempts, {Suppressed} identical errors not logged): {Error}", failures, suppressed, e.Message);
                    }
                }
            }

            try
            {
                var wait = failures > 0 ? Backoff(TimeSpan.FromSeconds(1), failures - 1, TimeSpan.FromSeconds(30)) : NextWait();
                await Task.WhenAny(Task.Delay(wait, time, stoppingToken), wake.WaitAsync(stoppingToken));
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        List<string> held;
        lock (gate)
        {
            held = [.. slots.Where(s => s.Value.Leased).Select(s => s.Key)];
        }

        // Hand the sources over at once instead of letting the other instances wait for the leases to run out.
        foreach (var id in held)
        {
            try
            {
                await leases.ReleaseAsync(LeaseName(id), instance.Id, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Could not release lease {Lease}", LeaseName(id));
            }
        }
    }

    private async Task ConsiderAsync(SourceDefinition source, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        Slot slot;
        lock (gate)
        {
            slot = slots[source.Id];
        }

        if (slot.Running)
        {
            if (now - slot.StartedAt < StallAfter || !JobIsGone(slot, source.Id, now))
            {
                return;
            }
        }

        lock (gate)
        {
            if (now < slot.NextDue)
            {
                return;
            }
        }

        // Renewed at every poll; it must outlast the gap to the next one, or another instance takes over.
        var leaseFor = source.PollInterval + leaseOptions.Value.Duration;
        var mine = await leases.TryAcquireAsync(LeaseName(source.Id), instance.Id, now, leaseFor, cancellationToken);
        lock (gate)
        {
            if (!mine)
            {
                if (slot.Leased)
                {
                    logger.LogInformation("Source {Source} is now polled by another instance", source.Id);
                }

                slot.Leased = false;

                // Look again well before the holder's lease could run out, to take over from a dead instance.
                var recheck = source.PollInterval < leaseOptions.Value.Duration / 2 ? source.PollInterval : leaseOptions.Value.Duration / 2;
                slot.NextDue = now + recheck;
                return;
            }

            slot.Leased = true;
            slot.Running = true;
            slot.StartedAt = now;
        }

        slot.JobId = jobs.Enqueue<PollJob>(instance.Queue, job => job.RunAsync(source.Id, CancellationToken.None));
    }

    /// <summary>
    /// A poll's fetch ends within the timeout; one still running at three times it is stuck (a hung database, a
    /// parser that does not finish). The margin leaves room for parsing and the commit of a large page.
    /// </summary>
    private TimeSpan StallAfter => polling.Value.Timeout * 3;

    /// <summary>
    /// True when the poll's job ended without reporting back (its storage lost it): the source may be polled again.
    /// While the job is still queued or running it is a stalled poll: reported once as a failure, never doubled.
    /// </summary>
    private bool JobIsGone(Slot slot, string sourceId, DateTimeOffset now)
    {
        string? state;
        try
        {
            using var connection = jobStorage.GetConnection();
            state = slot.JobId is null ? null : connection.GetStateData(slot.JobId)?.Name;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Job storage unreachable: assume the job still runs rather than risk a second poll.
            logger.LogDebug(e, "Could not read the state of poll job {Job}", slot.JobId);
            state = ProcessingState.StateName;
        }

        if (state is null || state == SucceededState.StateName || state == FailedState.StateName || state == DeletedState.StateName)
        {
            logger.LogWarning("Poll job {Job} of {Source} ended ({State}) without reporting back; polling the source again", slot.JobId, sourceId, state ?? "gone");
            lock (gate)
            {
                slot.Running = false;
                slot.JobId = null;
            }

            return true;
        }

        var status = poller.Status(sourceId);
        if (status.StalledSince is null)
        {
            status.StalledSince = slot.StartedAt;
            metrics.Polls.WithLabels(sourceId, "stalled").Inc();
            metrics.SourceFailures.WithLabels(sourceId).Set(status.ConsecutiveFailures + 1);
            logger.LogWarning(
                "Poll of {Source} is stalled: {State} for {Elapsed:g}, over its timeout of {Timeout}; no other poll of it starts until it ends",
                sourceId,
                state,
                now - slot.StartedAt,
                polling.Value.Timeout);
        }

        return false;
    }

    private TimeSpan NextWait()
    {
        var now = time.GetUtcNow();
        var wait = TimeSpan.FromSeconds(1);
        lock (gate)
        {
            foreach (var slot in slots.Values)
            {
                if (!slot.Running && slot.NextDue - now < wait)
                {
                    wait = slot.NextDue - now;
                }
            }
        }

        return wait < TimeSpan.FromMilliseconds(10) ? TimeSpan.FromMilliseconds(10) : wait;
    }

    private sealed class Slot
    {
        public DateTimeOffset NextDue { get; set; }

        public DateTimeOffset StartedAt { get; set; }

        public bool Running { get; set; }

        public bool Leased { get; set; }

        public string? JobId { get; set; }
    }
}

/// <summary>
/// The Hangfire job that polls one source once. Retries are the scheduler's backoff, not Hangfire's; a failed
/// poll fails its job so that the dashboard shows it (the poller has already logged it: no second log line).
/// </summary>
[AutomaticRetry(Attempts = 0, LogEvents = false)]
internal sealed class PollJob(IOptions<AlertsOptions> options, SourcePoller poller, PollScheduler scheduler)
{
    [JobDisplayName("Poll {0}")]
    public async Task RunAsync(string sourceId, CancellationToken cancellationToken)
    {
        var outcome = PollOutcome.Unchanged;
        try
        {
            var source = options.Value.Sources.Find(s => s.Id == sourceId);
            if (source is not null)
            {
                outcome = await poller.PollAsync(source, cancellationToken);
            }
        }
        finally
        {
            scheduler.Completed(sourceId);
        }

        if (outcome is PollOutcome.Failed)
        {
            var status = poller.Status(sourceId);
            throw new PollFailedException($"Poll of {sourceId} failed: {status.LastError}; next attempt at {status.NextPollAt:u}");
        }
    }
}

/// <summary>Marks a failed poll's Hangfire job as failed; carries the reason, not a stack trace worth reading.</summary>
internal sealed class PollFailedException(string message) : Exception(message);
