namespace Alerts.Core.Delivery;

/// <summary>
/// "At most N in any window W", remembered as the times of the last N permits. Unlike a fixed window it
/// never lets 2N through around a window boundary, which is how Telegram and Discord count.
/// Not thread-safe: the dispatcher owns it.
/// </summary>
public sealed class SlidingWindowLog
{
    private readonly DateTimeOffset[] times;
    private int oldest;
    private int count;

    public SlidingWindowLog(RateLimitRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentOutOfRangeException.ThrowIfLessThan(rule.PermitLimit, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(rule.Window, TimeSpan.Zero);
        Rule = rule;
        times = new DateTimeOffset[rule.PermitLimit];
    }

    public RateLimitRule Rule { get; }

    /// <summary>The average spacing of permits, used to estimate when a queue will drain.</summary>
    public TimeSpan Interval => Rule.Window / Rule.PermitLimit;

    /// <summary>The earliest time at or after <paramref name="now"/> when one more permit fits.</summary>
    public DateTimeOffset EarliestPermit(DateTimeOffset now)
    {
        if (count < times.Length)
        {
            return now;
        }

        var free = times[oldest] + Rule.Window;
        return free > now ? free : now;
    }

    /// <summary>
    /// Records a permit taken at <paramref name="at"/>. Permits are taken in time order; one dated a moment before the
    /// newest (two callers that read the clock just before taking the lock) counts as taken with the newest.
    /// </summary>
    public void Record(DateTimeOffset at)
    {
        if (count > 0 && times[(oldest + count - 1) % times.Length] is var newest && newest > at)
        {
            at = newest;
        }

        if (count < times.Length)
        {
            times[(oldest + count) % times.Length] = at;
            count++;
            return;
        }

        times[oldest] = at;
        oldest = (oldest + 1) % times.Length;
    }

    /// <summary>True when no permit recorded here still counts at <paramref name="now"/>, so the log can be dropped.</summary>
    public bool IsIdle(DateTimeOffset now) =>
        count == 0 || times[(oldest + count - 1) % times.Length] + Rule.Window <= now;
}
