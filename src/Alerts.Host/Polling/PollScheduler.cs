using Alerts.Core.Delivery;
using Alerts.Core.Tickers;
using Alerts.Host.Options;
using Hangfire;
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
/// exponentially while the source fails), so polls of one source never overlap.
/// </remarks>
internal sealed class PollScheduler(
    IOptions<AlertsOptions> options,
    IOptions<PollingOptions> polling,
    IOptions<LeaseOptions> leaseOptions,
    ILeaseStore leases,
    IBackgroundJobClient jobs,
    InstanceIdentity instance,
    SourcePoller poller,
    TimeProvider time,
    ILogger<PollScheduler> logger) : BackgroundService
{
    private readonly Dictionary<string, Slot> slots = new(StringComparer.Ordinal);
    private readonly Lock gate = new();
    private readonly SemaphoreSlim wake = new(0);

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

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var source in config.Sources)
                {
                    await ConsiderAsync(source, stoppingToken);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "Poll scheduling failed; trying again");
            }

            try
            {
                await Task.WhenAny(Task.Delay(NextWait(), time, stoppingToken), wake.WaitAsync(stoppingToken));
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
            if (slot.Running && now - slot.StartedAt < polling.Value.Timeout * 3)
            {
                return;
            }

            // A job that never reported back (lost with its queue) must not stop the source for good.
            slot.Running = false;
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

        jobs.Enqueue<PollJob>(instance.Queue, job => job.RunAsync(source.Id, CancellationToken.None));
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
    }
}

/// <summary>The Hangfire job that polls one source once. Retries are the scheduler's backoff, not Hangfire's.</summary>
[AutomaticRetry(Attempts = 0)]
internal sealed class PollJob(IOptions<AlertsOptions> options, SourcePoller poller, PollScheduler scheduler)
{
    public async Task RunAsync(string sourceId, CancellationToken cancellationToken)
    {
        try
        {
            var source = options.Value.Sources.Find(s => s.Id == sourceId);
            if (source is not null)
            {
                await poller.PollAsync(source, cancellationToken);
            }
        }
        finally
        {
            scheduler.Completed(sourceId);
        }
    }
}
