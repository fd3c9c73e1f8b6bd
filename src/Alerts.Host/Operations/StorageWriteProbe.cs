using Alerts.Core.Delivery;
using Alerts.Core.Diagnostics;
using Alerts.Host.Polling;

namespace Alerts.Host.Operations;

/// <summary>
/// Asks the database to accept a write, for health: a full disk or a read-only file lets every read through and fails
/// every commit, so a read alone says "ok" while nothing is stored (issue 13). The write renews a lease named after
/// this instance (<c>health:{instance}</c>): a real write transaction on a table every instance writes anyway, one row
/// per instance, gone from nobody's way when it runs out.
/// </summary>
internal sealed class StorageWriteProbe(ILeaseStore leases, InstanceIdentity instance, TimeProvider time, ILogger<StorageWriteProbe> logger)
{
    private readonly RepeatedFailureLog failureLog = new(TimeSpan.FromMinutes(1), time);

    /// <summary>Null when the write went through, else what failed (logged at most once a minute per distinct error).</summary>
    public async Task<string?> ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await leases.TryAcquireAsync($"health:{instance.Id}", instance.Id, time.GetUtcNow(), TimeSpan.FromMinutes(5), cancellationToken);
            if (failureLog.Clear() is var suppressed && suppressed > 0)
            {
                logger.LogInformation("The database accepts writes again");
            }

            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var error = $"writes fail: {e.Message}";
            if (failureLog.ShouldLog(error, out var suppressed))
            {
                logger.LogError("Database unhealthy, {Error} ({Suppressed} more since the last line); polling stops until it accepts writes again", error, suppressed);
            }

            return error;
        }
    }
}
