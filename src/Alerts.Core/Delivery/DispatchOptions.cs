namespace Alerts.Core.Delivery;

/// <summary>Tuning of the dispatcher (<c>Alerts:Dispatch</c>).</summary>
public sealed class DispatchOptions
{
    /// <summary>Most outbox rows held in memory at once; more are claimed when fewer than half remain.</summary>
    public int BatchSize { get; set; } = 200;

    /// <summary>
    /// Most sends in flight at once, all channels together (never two for one subscriber). Within it each channel keeps
    /// as many in flight as its global limit needs at the round trip it shows (<see cref="SendPipeline"/>). Bounds the
    /// duplicates a crash can cause: only messages in flight can be delivered without being marked sent (SPEC §6).
    /// 8 reaches Telegram's 30/s up to a 250 ms round trip.
    /// </summary>
    public int MaxConcurrentSends { get; set; } = 8;

    /// <summary>
    /// Fallback only: how long a claimed row stays ours if nobody releases it. A dispatcher releases its rows when it
    /// stops, and the next dispatcher releases every claim it finds when it starts (the claimer is gone by then), so
    /// after a crash rows are due again as soon as a dispatcher holds the lease, not when this ends.
    /// </summary>
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Rows whose rate-limited send time is further away than this go back to the database with that time.</summary>
    public TimeSpan Horizon { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the database is asked for due rows when nothing signalled new ones.</summary>
    public TimeSpan IdlePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Transient failures before an alert ends as failed.</summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>An alert older than this that fails transiently ends as failed.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(6);

    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Retry delay for a subscriber whose platform has no channel configured (adapter switched off).</summary>
    public TimeSpan NoChannelRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long subscriber rows are cached; a /pause on another instance takes at most this long to count.</summary>
    public TimeSpan SubscriberCacheDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Sent and failed rows are deleted after this (daily job). Weeks, not hours: a finished row is also what
    /// stops the same (subscriber, item) from being enqueued again.
    /// </summary>
    public TimeSpan RetainFinished { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Exponential backoff after the <paramref name="attempt"/>-th transient failure (1-based), capped.</summary>
    public TimeSpan RetryDelay(int attempt)
    {
        var factor = Math.Pow(2, Math.Clamp(attempt - 1, 0, 30));
        var delay = RetryBaseDelay * factor;
        return delay > RetryMaxDelay ? RetryMaxDelay : delay;
    }
}

/// <summary>What the dispatcher reports to metrics. Reasons are low-cardinality labels, the full text goes to the outbox row.</summary>
public interface IDeliveryObserver
{
    void Sent(OutboxAlert alert, string platform, DateTimeOffset at);

    void Failed(OutboxAlert alert, string platform, string reason);

    void Retried(OutboxAlert alert, string platform, string reason);

    /// <summary>An edit of a sent alert (its entry was updated) ended: <paramref name="outcome"/> is <see cref="EditOutcomes"/>.</summary>
    void EditSettled(OutboxAlert alert, string platform, string outcome);
}

/// <summary>Reports nothing.</summary>
public sealed class NullDeliveryObserver : IDeliveryObserver
{
    public static readonly NullDeliveryObserver Instance = new();

    public void Sent(OutboxAlert alert, string platform, DateTimeOffset at)
    {
    }

    public void Failed(OutboxAlert alert, string platform, string reason)
    {
    }

    public void Retried(OutboxAlert alert, string platform, string reason)
    {
    }

    public void EditSettled(OutboxAlert alert, string platform, string outcome)
    {
    }
}

/// <summary>How an edit of a sent alert ended, for metrics.</summary>
public static class EditOutcomes
{
    /// <summary>The platform shows the entry as it is now.</summary>
    public const string Edited = "edited";

    /// <summary>The message could not be edited (deleted, too old, retries used up): it stays as it was, quietly.</summary>
    public const string GivenUp = "given_up";
}

/// <summary>Low-cardinality failure reasons for metrics.</summary>
public static class FailureReasons
{
    public const string Permanent = "permanent";
    public const string SubscriberGone = "subscriber_gone";
    public const string Inactive = "inactive";
    public const string Paused = "paused";
    public const string RetriesExhausted = "retries_exhausted";
    public const string NoChannel = "no_channel";
    public const string Migration = "migration";
}
