using System.Globalization;
using System.Text.RegularExpressions;
using Alerts.Host.Options;
using Microsoft.Extensions.Options;

namespace Alerts.Host.Polling;

/// <summary>
/// Who this process is to the others: the owner name in leases, and the Hangfire queue only this process
/// reads, so that a job enqueued by a lease holder runs on the lease holder.
/// </summary>
internal sealed partial class InstanceIdentity
{
    public InstanceIdentity(IOptions<AlertsOptions> options)
    {
        Id = string.IsNullOrWhiteSpace(options.Value.InstanceId)
            ? string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}")
            : options.Value.InstanceId!;

        // Hangfire queue names: lower-case letters, digits, '_' and '-'.
        Queue = "i-" + QueueUnsafe().Replace(Id.ToLowerInvariant(), "_");
    }

    public string Id { get; }

    public string Queue { get; }

    [GeneratedRegex("[^a-z0-9_-]")]
    private static partial Regex QueueUnsafe();
}
