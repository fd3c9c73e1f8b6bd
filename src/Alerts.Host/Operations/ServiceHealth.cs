using System.Collections.Concurrent;
using Alerts.Host.Options;
using Microsoft.Extensions.Options;

namespace Alerts.Host.Operations;

public enum HealthStatus
{
    Ok,

    /// <summary>Still doing its job, but something needs a look (a source is failing): HTTP 200.</summary>
    Degraded,

    /// <summary>Not doing its job: HTTP 503, and the container's HEALTHCHECK fails.</summary>
    Unhealthy,
}

/// <summary>
/// What <c>/healthz</c> concludes (SPEC §10), and the place where parts of the service report trouble that a request
/// to <c>/healthz</c> could not see for itself: the database vanished or turned read-only, a poll that never ends.
/// </summary>
/// <remarks>
/// A report stays until it is cleared by whoever made it, so it is cleared by the next success of the same kind
/// (the next good write, the next completed poll).
/// </remarks>
internal sealed class ServiceHealth(IOptions<HealthOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, string> stalledPolls = new(StringComparer.Ordinal);
    private volatile string? databaseProblem;

    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();

    /// <summary>Set while the database is known to be unusable (deleted file, read-only, refused writes); makes the service unhealthy.</summary>
    public string? DatabaseProblem => databaseProblem;

    public IReadOnlyDictionary<string, string> StalledPolls => stalledPolls;

    public void ReportDatabaseProblem(string problem) => databaseProblem = problem;

    public void ClearDatabaseProblem() => databaseProblem = null;

    /// <summary>A poll of <paramref name="sourceId"/> has run far longer than it may; the source counts as failing.</summary>
    public void ReportPollStalled(string sourceId, string reason) => stalledPolls[sourceId] = reason;

    public void ClearPollStalled(string sourceId) => stalledPolls.TryRemove(sourceId, out _);

    /// <summary>The verdict and its reasons, from what the store and this process know about each source.</summary>
    public (HealthStatus Status, IReadOnlyList<string> Reasons) Assess(string? databaseError, IReadOnlyList<SourceHealthView> sources)
    {
        var reasons = new List<string>();
        databaseError ??= DatabaseProblem;
        if (databaseError is not null)
        {
            reasons.Add($"database: {databaseError}");
        }

        if (sources.Count == 0)
        {
            reasons.Add("no source is configured (Alerts:Sources)");
        }
        else
        {
            var window = options.Value.NoSuccessfulPollFor;
            var lastSuccess = sources.Max(s => s.LastSuccessfulPoll);
            var since = lastSuccess ?? StartedAt;
            if (time.GetUtcNow() - since > window)
            {
                reasons.Add(lastSuccess is null
                    ? $"no source has polled successfully since start-up at {StartedAt:u} (Alerts:Health:NoSuccessfulPollFor = {window})"
                    : $"no source has polled successfully since {lastSuccess:u} (Alerts:Health:NoSuccessfulPollFor = {window})");
            }
        }

        if (reasons.Count > 0)
        {
            return (HealthStatus.Unhealthy, reasons);
        }

        foreach (var source in sources)
        {
            if (stalledPolls.TryGetValue(source.Id, out var stall))
            {
                reasons.Add($"source {source.Id}: {stall}");
            }
            else if (source.ConsecutiveFailures > 0)
            {
                reasons.Add($"source {source.Id}: {source.ConsecutiveFailures} failed poll(s) in a row: {source.LastError}");
            }
        }

        return (reasons.Count > 0 ? HealthStatus.Degraded : HealthStatus.Ok, reasons);
    }
}

/// <summary>What <see cref="ServiceHealth.Assess"/> needs to know of one source.</summary>
internal sealed record SourceHealthView(string Id, DateTimeOffset? LastSuccessfulPoll, int ConsecutiveFailures, string? LastError);
