using Alerts.Core.Delivery;
using Alerts.Host.Options;
using Hangfire;
using Microsoft.Extensions.Options;

namespace Alerts.Host.Delivery;

/// <summary>
/// Keeps (or waits for) the cluster-wide <c>dispatch</c> lease and, while this process holds it, makes sure
/// the <see cref="DispatchJob"/> runs here. One dispatcher for the whole cluster is what lets the in-memory
/// rate limiter enforce the platforms' limits for all instances together (SPEC §9).
/// </summary>
internal sealed class DispatchLeader(
    IOptions<LeaseOptions> options,
    ILeaseStore leases,
    IBackgroundJobClient jobs,
    Polling.InstanceIdentity instance,
    TimeProvider time,
    ILogger<DispatchLeader> logger) : BackgroundService
{
    public const string LeaseName = "dispatch";

    private readonly Lock gate = new();
    private DateTimeOffset validUntil = DateTimeOffset.MinValue;
    private DateTimeOffset lastEnqueued = DateTimeOffset.MinValue;
    private bool loopRunning;
    private bool wasLeader;

    /// <summary>
    /// True while the lease is ours with a safety margin of a third of its duration: renewed every third, it never gets
    /// that close while renewals work. When they fail, the dispatcher stops starting sends and its sends in flight have
    /// that third (10 s by default) to be answered and settled before the lease can pass to another instance, which
    /// then releases every claim it finds at once: two instances never send the same row while both live.
    /// </summary>
    public bool HoldsLease()
    {
        lock (gate)
        {
            return validUntil > DateTimeOffset.MinValue && time.GetUtcNow() < validUntil - (options.Value.Duration / 3);
        }
    }

    public bool TryEnterLoop()
    {
        lock (gate)
        {
            if (loopRunning)
            {
                return false;
            }

            loopRunning = true;
            return true;
        }
    }

    public void ExitLoop()
    {
        lock (gate)
        {
            loopRunning = false;
            lastEnqueued = DateTimeOffset.MinValue;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var duration = options.Value.Duration;
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            bool mine;
            try
            {
                mine = await leases.TryAcquireAsync(LeaseName, instance.Id, now, duration, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Could not renew the dispatch lease");
                mine = false;
            }

            var enqueue = false;
            lock (gate)
            {
                if (mine)
                {
                    validUntil = now + duration;
                }

                if (mine != wasLeader)
                {
                    logger.LogInformation(mine ? "This instance ({Instance}) now dispatches alerts" : "This instance ({Instance}) no longer dispatches alerts", instance.Id);
                    wasLeader = mine;
                }

                // Re-enqueue if a job we enqueued never started (its queue was lost with a restart of the job storage).
                if (mine && !loopRunning && now - lastEnqueued > duration)
                {
                    lastEnqueued = now;
                    enqueue = true;
                }
            }

            if (enqueue)
            {
                jobs.Enqueue<DispatchJob>(instance.Queue, job => job.RunAsync(CancellationToken.None));
            }

            try
            {
                await Task.Delay(duration / 3, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        lock (gate)
        {
            validUntil = DateTimeOffset.MinValue;
        }

        try
        {
            await leases.ReleaseAsync(LeaseName, instance.Id, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not release the dispatch lease");
        }
    }
}

/// <summary>
/// The dispatch loop as a long-running Hangfire job on the lease holder's queue: it runs while the lease
/// is held and ends on shutdown or when the lease is lost; <see cref="DispatchLeader"/> starts it again.
/// </summary>
[AutomaticRetry(Attempts = 0)]
internal sealed class DispatchJob(DispatchLeader leader, AlertDispatcher dispatcher, Polling.InstanceIdentity instance)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!leader.HoldsLease() || !leader.TryEnterLoop())
        {
            return;
        }

        try
        {
            await dispatcher.RunAsync(instance.Id, leader.HoldsLease, cancellationToken);
        }
        finally
        {
            leader.ExitLoop();
        }
    }
}
