using Alerts.Core.Delivery;
using Alerts.Core.Subscriptions;
using Prometheus;

namespace Alerts.Host.Operations;

/// <summary>
/// The Prometheus metrics of SPEC §10. A registry per host rather than prometheus-net's static default one,
/// so that several hosts in one test process do not count into each other.
/// </summary>
internal sealed class AlertsMetrics : IDeliveryObserver
{
    public AlertsMetrics(IOutboxStore outbox, Alerts.Discord.Interactions.RejectedInteractions? rejectedInteractions = null, SubscriptionLimits? limits = null)
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);

        // prometheus-net's standard process and runtime metrics, in this host's registry: process_cpu_seconds_total,
        // process_working_set_bytes, process_private_memory_bytes, process_open_handles, process_num_threads,
        // process_start_time_seconds, dotnet_collection_count_total (per GC generation), dotnet_total_memory_bytes.
        DotNetStats.Register(Registry);
        Polls = factory.CreateCounter("alerts_polls_total", "Polls by source and outcome (changed, unchanged, not_modified, error, skipped).", "source", "outcome");
        Items = factory.CreateCounter("alerts_items_total", "Items parsed from fetched pages.", "source");
        NewItems = factory.CreateCounter("alerts_new_items_total", "Items seen for the first time.", "source");
        Matches = factory.CreateCounter("alerts_matches_total", "Alerts enqueued: one per (subscriber, new item) that matched.", "source");
        AlertsSent = factory.CreateCounter("alerts_sent_total", "Alerts the platform accepted.", "platform");
        AlertsFailed = factory.CreateCounter("alerts_failed_total", "Alerts that ended as failed, by reason.", "platform", "reason");
        AlertEdits = factory.CreateCounter("alerts_edits_total", "Edits of sent alerts whose entry was updated, by outcome (edited, given_up).", "platform", "outcome");
        AlertsRetried = factory.CreateCounter("alerts_retried_total", "Sends put off for a later attempt (transient errors, 429).", "platform", "reason");
        PublishToSend = factory.CreateHistogram(
            "alerts_publish_to_send_seconds",
            "From the entry's published time to the platform accepting the alert.",
            new HistogramConfiguration { LabelNames = ["platform"], Buckets = Histogram.ExponentialBuckets(1, 2, 14) });
        EnqueueToSend = factory.CreateHistogram(
            "alerts_enqueue_to_send_seconds",
            "From the poll that saw the entry (outbox insert) to the platform accepting the alert: the pipeline's own latency.",
            new HistogramConfiguration { LabelNames = ["platform"], Buckets = Histogram.ExponentialBuckets(0.001, 2, 18) });
        OutboxRows = factory.CreateGauge("alerts_outbox_rows", "Outbox rows by status.", "status");
        SourceFailures = factory.CreateGauge("alerts_source_consecutive_failures", "Failed polls since the source's last success.", "source");
        SourceLastSuccess = factory.CreateGauge("alerts_source_last_success_timestamp_seconds", "Unix time of the source's last successful poll on this instance (alert when it is older than a few intervals).", "source");
        PollDuration = factory.CreateHistogram(
            "alerts_poll_duration_seconds",
            "One poll of a source, fetch to commit, successful or not.",
            new HistogramConfiguration { LabelNames = ["source"], Buckets = Histogram.ExponentialBuckets(0.05, 2, 11) });

        DiscordInteractionsRejected = factory.CreateCounter("alerts_discord_interactions_rejected_total", "Requests to /discord/interactions refused for a missing or wrong signature.");
        Registry.AddBeforeCollectCallback(() =>
        {
            if (rejectedInteractions is not null)
            {
                DiscordInteractionsRejected.IncTo(rejectedInteractions.Count);
            }
        });

        // The regexes all queries share (docs/matching.md): what they hold now against their bounds, and how often
        // they are rebuilt (a build rate that keeps rising means more distinct regexes are in use than the bounds hold).
        if (limits is not null)
        {
            var regexes = limits.Regexes;
            var entries = factory.CreateGauge("alerts_regex_cache_entries", "Distinct user regexes kept built.");
            var bytes = factory.CreateGauge("alerts_regex_cache_estimated_bytes", "Estimated memory of the kept regexes, automata included.");
            var builds = factory.CreateCounter("alerts_regex_cache_builds_total", "User regexes built (first use, or again after being dropped).");
            var evictions = factory.CreateCounter("alerts_regex_cache_evictions_total", "User regexes dropped to stay within the cache's bounds.");
            Registry.AddBeforeCollectCallback(() =>
            {
                entries.Set(regexes.Count);
                bytes.Set(regexes.EstimatedBytes);
                builds.IncTo(regexes.Builds);
                evictions.IncTo(regexes.Evictions);
            });
        }

        Registry.AddBeforeCollectCallback(async cancellationToken =>
        {
            try
            {
                var counts = await outbox.CountByStatusAsync(cancellationToken);
                foreach (var status in Enum.GetValues<OutboxStatus>())
                {
                    OutboxRows.WithLabels(status.ToString().ToLowerInvariant()).Set(counts.GetValueOrDefault(status));
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Database down: keep the last values; /healthz reports the outage.
            }
        });
    }

    public CollectorRegistry Registry { get; }

    public Counter Polls { get; }

    public Counter Items { get; }

    public Counter NewItems { get; }

    public Counter Matches { get; }

    public Counter AlertsSent { get; }

    public Counter AlertsFailed { get; }

    public Counter AlertsRetried { get; }

    public Counter AlertEdits { get; }

    public Histogram PublishToSend { get; }

    public Histogram EnqueueToSend { get; }

    public Gauge OutboxRows { get; }

    public Gauge SourceFailures { get; }

    public Counter DiscordInteractionsRejected { get; }

    public Gauge SourceLastSuccess { get; }

    public Histogram PollDuration { get; }

    /// <summary>After every poll of <paramref name="sourceId"/>, whatever its outcome.</summary>
    public void PollFinished(string sourceId, TimeSpan duration, DateTimeOffset? lastSuccess, int consecutiveFailures)
    {
        PollDuration.WithLabels(sourceId).Observe(Math.Max(0, duration.TotalSeconds));
        SourceFailures.WithLabels(sourceId).Set(consecutiveFailures);
        if (lastSuccess is { } at)
        {
            SourceLastSuccess.WithLabels(sourceId).Set(at.ToUnixTimeMilliseconds() / 1000.0);
        }
    }

    public void Sent(OutboxAlert alert, string platform, DateTimeOffset at)
    {
        AlertsSent.WithLabels(platform).Inc();
        PublishToSend.WithLabels(platform).Observe(Math.Max(0, (at - alert.Published).TotalSeconds));
        EnqueueToSend.WithLabels(platform).Observe(Math.Max(0, (at - alert.EnqueuedAt).TotalSeconds));
    }

    public void Failed(OutboxAlert alert, string platform, string reason) =>
        AlertsFailed.WithLabels(platform, reason).Inc();

    public void EditSettled(OutboxAlert alert, string platform, string outcome) =>
        AlertEdits.WithLabels(platform, outcome).Inc();

    public void Retried(OutboxAlert alert, string platform, string reason) =>
        AlertsRetried.WithLabels(platform, reason).Inc();
}
