using Alerts.Core.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Alerts.Discord.Interactions;

/// <summary>
/// Requests to <c>POST /discord/interactions</c> refused for their signature. Anyone can send them, at any rate: they
/// are counted (the host exports <see cref="Count"/> as <c>alerts_discord_interactions_rejected_total</c>) and logged
/// once, then once a minute with the number left out, instead of one warning each (10,108 lines in 10 s; issue 13).
/// </summary>
public sealed partial class RejectedInteractions(TimeProvider time, ILogger<RejectedInteractions> logger)
{
    private readonly RepeatedFailureLog log = new(TimeSpan.FromMinutes(1), time);
    private long count;

    public long Count => Interlocked.Read(ref count);

    public void Record()
    {
        Interlocked.Increment(ref count);
        if (log.ShouldLog("rejected", out var suppressed))
        {
            LogRejected(logger, suppressed);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord interaction rejected: missing, malformed, stale or wrong signature ({Suppressed} more since the last line)")]
    private static partial void LogRejected(ILogger logger, int suppressed);
}
