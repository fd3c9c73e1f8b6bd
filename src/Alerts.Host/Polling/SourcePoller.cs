using System.Collections.Concurrent;
using Alerts.Core.Delivery;
using Alerts.Core.Diffing;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tickers;
using Alerts.Host.Operations;

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
}

/// <summary>
/// One poll of one source: fetch → parse → diff → match → commit (seen-set and outbox rows in one transaction)
/// → wake the dispatcher. Never throws for a bad source: the failure is recorded and reported.
/// </summary>
internal sealed class SourcePoller(
    TickerFetcher fetcher,
    IEnumerable<ITickerParser> parsers,
    ITickerStateStore state,
    ISubscriptionStore subscriptions,
    MatcherSync matcherSync,
    AlertDispatcher dispatcher,
    AlertsMetrics metrics,
    TimeProvider time,
    ILogger<SourcePoller> logger)
{
    private readonly ITickerParser[] parsers = [.. parsers];
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
            metrics.SourceFailures.WithLabels(source.Id).Set(status.ConsecutiveFailures);
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
        IReadOnlyList<TickerItem> items;
        try
        {
            items = Parse(source, content.Body);
        }
        catch (TickerParseException e)
        {
            await FailAsync(source, $"unreadable page: {e.Message}", cancellationToken);
            return PollOutcome.Failed;
        }

        metrics.Items.WithLabels(source.Id).Inc(items.Count);
        var fresh = TickerDiffer.Diff(items, previous).New;

        // Committed on every 200, even without news: the store refreshes each item's last-seen time, which keeps
        // entries still on the page from ageing out of the bounded seen-set and alerting again later.
        var alerts = fresh.Count == 0 ? [] : await MatchAsync(fresh, cancellationToken);
        await state.CommitPollAsync(new PollCommit(source.Id, items, alerts, content.ETag, content.LastModified, time.GetUtcNow()), cancellationToken);

        metrics.NewItems.WithLabels(source.Id).Inc(fresh.Count);
        metrics.Matches.WithLabels(source.Id).Inc(alerts.Count);
        metrics.Polls.WithLabels(source.Id, fresh.Count > 0 ? "changed" : "unchanged").Inc();
        if (previous is null)
        {
            logger.LogInformation("Source {Source}: baseline of {Count} items recorded, nothing alerted", source.Id, items.Count);
        }
        else if (fresh.Count > 0)
        {
            logger.LogInformation("Source {Source}: {New} new items, {Alerts} alerts enqueued", source.Id, fresh.Count, alerts.Count);
        }

        if (alerts.Count > 0)
        {
            dispatcher.Signal();
        }

        return fresh.Count > 0 ? PollOutcome.Changed : PollOutcome.Unchanged;
    }

    private IReadOnlyList<TickerItem> Parse(SourceDefinition source, string body)
    {
        ITickerParser? parser;
        if (string.IsNullOrEmpty(source.Kind))
        {
            parser = Array.Find(parsers, p => p.CanParse(body))
                ?? throw new TickerParseException($"the page is not a {string.Join(", ", SourceKinds.All)} page");
        }
        else
        {
            parser = Array.Find(parsers, p => p.Kind == source.Kind)
                ?? throw new TickerParseException($"no parser for kind '{source.Kind}' is registered");
        }

        var zone = TimeZoneInfo.FindSystemTimeZoneById(source.TimeZone);
        return parser.Parse(body, new ParseContext(source.Id, new Uri(source.Url), zone));
    }

    private async Task<IReadOnlyList<NewAlert>> MatchAsync(IReadOnlyList<TickerItem> fresh, CancellationToken cancellationToken)
    {
        await matcherSync.SyncAsync(cancellationToken);
        var now = time.GetUtcNow();
        var subscribers = new Dictionary<string, Subscriber?>(StringComparer.Ordinal);
        var muted = new Dictionary<string, Dictionary<long, Subscription>>(StringComparer.Ordinal);
        var alerts = new List<NewAlert>();
        foreach (var item in fresh)
        {
            foreach (var match in matcherSync.Matcher.Match(item))
            {
                if (!subscribers.TryGetValue(match.SubscriberId, out var subscriber))
                {
                    subscriber = await subscriptions.GetSubscriberAsync(match.SubscriberId, cancellationToken);
                    subscribers[match.SubscriberId] = subscriber;
                }

                // /pause and /mute drop what comes meanwhile (news that arrives hours late is no alert).
                if (subscriber is not { Active: true, Paused: false } || subscriber.IsMutedAt(now))
                {
                    continue;
                }

                // A subscription muted from an alert's button does not fire; another one of the same chat still may.
                if (!muted.TryGetValue(match.SubscriberId, out var mutedOnes))
                {
                    mutedOnes = (await subscriptions.ListSubscriptionsAsync(match.SubscriberId, cancellationToken))
                        .Where(s => s.IsMutedAt(now)).ToDictionary(s => s.Id);
                    muted[match.SubscriberId] = mutedOnes;
                }

                if (mutedOnes.Count == 0)
                {
                    alerts.Add(new NewAlert(match.SubscriberId, item, match.Query, match.Matched));
                }
                else if (match.SubscriptionIds.FirstOrDefault(id => !mutedOnes.ContainsKey(id)) is var firing and > 0)
                {
                    // The alert names the first subscription that is not muted.
                    var query = (await subscriptions.ListSubscriptionsAsync(match.SubscriberId, cancellationToken)).FirstOrDefault(s => s.Id == firing)?.Query ?? match.Query;
                    alerts.Add(new NewAlert(match.SubscriberId, item, query, match.Matched));
                }
            }
        }

        return alerts;
    }

    private async Task FailAsync(SourceDefinition source, string reason, CancellationToken cancellationToken)
    {
        var status = Status(source.Id);
        status.ConsecutiveFailures++;
        status.LastError = reason;
        metrics.Polls.WithLabels(source.Id, "error").Inc();
        logger.LogWarning("Poll of {Source} failed ({Failures} in a row): {Reason}", source.Id, status.ConsecutiveFailures, reason);
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
