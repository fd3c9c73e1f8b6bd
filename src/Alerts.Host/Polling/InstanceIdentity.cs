using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Alerts.Host.Options;
using Microsoft.Extensions.Options;

namespace Alerts.Host.Polling;

/// <summary>
/// Who this process is to the others: the owner name in leases, and the Hangfire queue only this process
/// reads, so that a job enqueued by a lease holder runs on the lease holder.
/// </summary>
/// <remarks>
/// Without <c>Alerts:InstanceId</c> the name is the machine plus a hash of the working directory (where <c>./data</c>
/// lives): the same installation restarted after a crash is the same owner, so it takes its own leases back at once
/// instead of waiting for them to run out (issue 13, item 12). Two instances started from one directory on one machine
/// must therefore be given distinct <c>Alerts:InstanceId</c>s (docs/operations.md).
/// </remarks>
internal sealed partial class InstanceIdentity
{
    public InstanceIdentity(IOptions<AlertsOptions> options)
    {
        Id = string.IsNullOrWhiteSpace(options.Value.InstanceId)
            ? StableId(Environment.MachineName, Directory.GetCurrentDirectory())
            : options.Value.InstanceId!;

        // Hangfire queue names: lower-case letters, digits, '_' and '-'.
        Queue = "i-" + QueueUnsafe().Replace(Id.ToLowerInvariant(), "_");
    }

    public string Id { get; }

    internal static string StableId(string machine, string directory)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory))));
        return string.Create(CultureInfo.InvariantCulture, $"{machine}-{Convert.ToHexStringLower(hash.AsSpan(0, 4))}");
    }

    public string Queue { get; }

    [GeneratedRegex("[^a-z0-9_-]")]
    private static partial Regex QueueUnsafe();
}
