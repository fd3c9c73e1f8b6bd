using System.Collections.Concurrent;
using Alerts.Core.Delivery;
using Alerts.Core.Matching;
using Alerts.Core.Diffing;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tickers;
using Alerts.Host.Operations;
using Alerts.Host.Options;
using Microsoft.Extensions.Options;

namespace Alerts.Host.Polling;

internal enum PollOutcome
{
    /// <summary>The page had new or changed entries and the commit went through.</summary>
    Changed,

    /// <summary>200, parsed, nothing new (or the baseline).</summary>
    Unchanged,

    NotModified,

    Failed,
}

/// <summary>What this process knows about a source's recent polls (the store keeps the shared view).</summary>
internal sealed class SourceStatus
{
    public DateTimeOffset? LastAttemptAt { get; set; }

    public DateTimeOffset? LastSuccessAt { get; set; }

    public int ConsecutiveFailures { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset? NextPollAt { get; set; }

    /// <summary>Set by the scheduler while a poll runs far over its timeout; health counts it as a failure.</summary>
    public DateTimeOffset? StalledSince { get; set; }
}

/// <summary>
/// One poll of one source: fetch, then the shared <see cref="PollPipeline"/> (parse → diff → match → commit), then
/// wake the dispatcher. Never throws for a bad source: the failure is recorded and reported.
/// </summary>
internal sealed class SourcePoller(
    TickerFetcher fetcher,
    PollPipeline pipeline,
    ITickerStateStore state,
    AlertDispatcher dispatcher,
    AlertsMetrics metrics,
    IOptions<PollingOptions> polling,
    TimeProvider time,
    ILogger<SourcePoller> logger)
{
    private readonly ConcurrentDictionary<string, SourceStatus> statuses = new(StringComparer.Ordinal);

    public SourceStatus Status(string sourceId) => statuses.GetOrAdd(sourceId, _ => new SourceStatus());

    public async Task<PollOutcome> PollAsync(SourceDefinition source, CancellationToken cancellationToken)
    {
        var status = Status(source.Id);
        var started = time.GetUtcNow();
        status.LastAttemptAt = started;
        try
        {
            var outcome = await PollCoreAsync(source, cancellationToken);
            if (outcome is not PollOutcome.Failed)
            {
                status.LastSuccessAt = time.GetUtcNow();
                status.ConsecutiveFailures = 0;
                status.LastError = null;
            }

            return outcome;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Storage or matcher trouble: count it against the source so it backs off, and keep the host alive.
            logger.LogError(e, "Poll of {Source} failed", source.Id);
            await FailAsync(source, $"{e.GetType().Name}: {e.Message}", cancellationToken);
            return PollOutcome.Failed;
        }
        finally
        {
            metrics.PollFinished(source.Id, time.GetUtcNow() - started, status.LastSuccessAt, status.ConsecutiveFailures);
        }
    }

    private async Task<PollOutcome> PollCoreAsync(SourceDefinition source, CancellationToken cancellationToken)
    {
        var previous = await state.GetStateAsync(source.Id, cancellationToken);
        var fetched = await fetcher.FetchAsync(source, previous?.ETag, previous?.LastModified, cancellationToken);
        switch (fetched)
        {
            case FetchResult.NotModified:
                await state.RecordSuccessAsync(source.Id, time.GetUtcNow(), cancellationToken);
                metrics.Polls.WithLabels(source.Id, "not_modified").Inc();
                return PollOutcome.NotModified;

            case FetchResult.Failed failed:
                await FailAsync(source, failed.Reason, cancellationToken);
                return PollOutcome.Failed;
        }

        var content = (FetchResult.Content)fetched;
        PollReport report;
        try
        {
            // The poll's own clock is the fetch time: it bounds the days of entries that show only a time (SPEC §1).
            var page = new FetchedPage(content.Body, FetchTime.Now(time.GetUtcNow()), content.ETag, content.LastModified);
            report = await pipeline.RunAsync(source, previous, page, cancellationToken);
        }
        catch (TickerParseException e)
        {
            await FailAsync(source, $"unreadable page: {e.Message}", cancellationToken);
            return PollOutcome.Failed;
        }

        var fresh = report.Diff.New.Count;
        metrics.Items.WithLabels(source.Id).Inc(report.Items.Count);
        metrics.NewItems.WithLabels(source.Id).Inc(fresh);
        metrics.Matches.WithLabels(source.Id).Inc(report.Alerts.Count);
        metrics.Polls.WithLabels(source.Id, fresh > 0 ? "changed" : "unchanged").Inc();
        if (report.Diff.IsBaseline)
        {
            logger.LogInformation("Source {Source}: baseline of {Count} items recorded, nothing alerted", source.Id, report.Items.Count);
        }
        else if (fresh > 0 || report.Diff.Updated.Count > 0)
        {
            logger.LogInformation("Source {Source}: {New} new items, {Alerts} alerts enqueued, {Updated} items updated", source.Id, fresh, report.Alerts.Count, report.Diff.Updated.Count);
        }

        if (report.Alerts.Count > 0 || report.Diff.Updated.Count > 0)
        {
            // New alerts, or updated entries whose alerts may now be due as edits.
            dispatcher.Signal();
        }

        return fresh > 0 ? PollOutcome.Changed : PollOutcome.Unchanged;
    }

    private async Task FailAsync(SourceDefinition source, string reason, CancellationToken cancellationToken)
    {
        var status = Status(source.Id);
        status.ConsecutiveFailures++;
        status.LastError = reason;
        metrics.Polls.WithLabels(source.Id, "error").Inc();

        // The scheduler sets the same time when the poll reports back; the operator reads it here, with the reason.
        status.NextPollAt = time.GetUtcNow() + PollScheduler.Backoff(source.PollInterval, status.ConsecutiveFailures, polling.Value.MaxBackoff);
        logger.LogWarning("Poll of {Source} failed ({Failures} in a row): {Reason}; next attempt at {NextAttempt:u}", source.Id, status.ConsecutiveFailures, reason, status.NextPollAt);
        try
        {
            await state.RecordFailureAsync(source.Id, reason, time.GetUtcNow(), cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "Could not record the failure of {Source}", source.Id);
        }
    }
}

/// <summary>
/// The service's audience: the instance's matcher index kept in step with the store, and each subscriber's own state
/// (SPEC §5): paused, deactivated or muted (<c>/mute</c>) chats receive nothing, and a subscription muted from an
/// alert's button does not fire, while the chat's other subscriptions still do. What comes meanwhile is dropped, not
/// held back: news hours late is no alert.
/// </summary>
internal sealed class SubscriberAudience(MatcherSync matcherSync, ISubscriptionStore subscriptions, TimeProvider time) : IAlertAudience
{
    public async ValueTask<ISubscriptionMatcher> GetMatcherAsync(CancellationToken cancellationToken)
    {
        await matcherSync.SyncAsync(cancellationToken);
        var muted = await subscriptions.GetMutedSubscriptionsAsync(time.GetUtcNow(), cancellationToken);
        if (muted.Count == 0)
        {
            return matcherSync.Matcher;
        }

        // The other subscriptions of the few chats that muted one: an alert names the first subscription still on.
        var ofMutingChats = new Dictionary<long, Subscription>();
        foreach (var subscriberId in muted.Select(s => s.SubscriberId).Distinct(StringComparer.Ordinal))
        {
            foreach (var s in await subscriptions.ListSubscriptionsAsync(subscriberId, cancellationToken))
            {
                ofMutingChats[s.Id] = s;
            }
        }

        return new WithoutMuted(matcherSync.Matcher, muted.Select(s => s.Id).ToHashSet(), ofMutingChats);
    }

    public async ValueTask<bool> IsReceivingAsync(string subscriberId, CancellationToken cancellationToken) =>
        await subscriptions.GetSubscriberAsync(subscriberId, cancellationToken) is { Active: true, Paused: false } subscriber
        && !subscriber.IsMutedAt(time.GetUtcNow());

    /// <summary>The matches without muted subscriptions; an alert then names the first subscription still on.</summary>
    private sealed class WithoutMuted(ISubscriptionMatcher inner, HashSet<long> muted, Dictionary<long, Subscription> ofMutingChats) : ISubscriptionMatcher
    {
        public int Count => inner.Count;

        public void Add(Subscription subscription) => inner.Add(subscription);

        public void Remove(long subscriptionId) => inner.Remove(subscriptionId);

        public IReadOnlyList<SubscriberMatch> Match(TickerItem item)
        {
            var matches = inner.Match(item);
            if (!matches.Any(m => m.SubscriptionIds.Any(muted.Contains)))
            {
                return matches;
            }

            var kept = new List<SubscriberMatch>(matches.Count);
            foreach (var match in matches)
            {
                var on = match.SubscriptionIds.Where(id => !muted.Contains(id)).ToList();
                if (on.Count == match.SubscriptionIds.Count)
                {
                    kept.Add(match);
                }
                else if (on.Count > 0)
                {
                    var query = ofMutingChats.TryGetValue(on[0], out var first) ? first.Query : match.Query;
                    kept.Add(match with { SubscriptionIds = on, Query = query });
                }
            }

            return kept;
        }
    }
}
