using Alerts.Core.Subscriptions;

namespace Alerts.Core.Delivery;

/// <summary>
/// Enforces each channel's <see cref="ChannelLimits"/> (global, per subscriber, per group) and the pauses a
/// platform asks for with 429 <c>retry_after</c>: a subscriber-level pause delays only that subscriber,
/// a global one the whole channel.
/// </summary>
/// <remarks>
/// Not built on <c>System.Threading.RateLimiting</c>: its limiters read <c>Stopwatch</c> and their own timers
/// rather than a <see cref="TimeProvider"/>, a fixed window lets twice the limit through around a window
/// boundary, a chained limiter spends the outer permits when an inner one refuses, and the dispatcher needs
/// to ask "when is the next permit?" to sleep or reschedule instead of waiting on a lease. The state lives
/// in the one process that holds the <c>dispatch</c> lease, which is what makes the limits cluster-wide.
/// Not thread-safe: the dispatcher calls it under its own lock.
/// </remarks>
public sealed class DeliveryRateLimiter
{
    private readonly Dictionary<IAlertChannel, ChannelState> channels = new(ReferenceEqualityComparer.Instance);
    private int operationsSinceCleanup;

    /// <summary>The earliest time the subscriber may get its next message on this channel.</summary>
    public DateTimeOffset EarliestFor(IAlertChannel channel, Subscriber subscriber, DateTimeOffset now)
    {
        var state = Channel(channel);
        var earliest = Max(now, state.PausedUntil);
        if (state.Global is not null)
        {
            earliest = Max(earliest, state.Global.EarliestPermit(now));
        }

        return Max(earliest, SubscriberEarliest(state, subscriber, now));
    }

    /// <summary>
    /// Estimates when a message queued behind <paramref name="queuedForSubscriber"/> messages of the same
    /// subscriber could go out as far as the subscriber's own limits and pauses are concerned.
    /// </summary>
    public DateTimeOffset EstimateForSubscriber(IAlertChannel channel, Subscriber subscriber, DateTimeOffset now, int queuedForSubscriber)
    {
        var state = Channel(channel);
        var spacing = channel.Limits.PerSubscriber is { } r ? r.Window / r.PermitLimit : TimeSpan.Zero;
        if (subscriber.IsGroup && channel.Limits.PerGroup is { } g && g.Window / g.PermitLimit > spacing)
        {
            spacing = g.Window / g.PermitLimit;
        }

        return SubscriberEarliest(state, subscriber, now) + (spacing * queuedForSubscriber);
    }

    /// <summary>Takes one permit from every limit that applies, if all of them have one at <paramref name="now"/>.</summary>
    public bool TryAcquire(IAlertChannel channel, Subscriber subscriber, DateTimeOffset now)
    {
        if (EarliestFor(channel, subscriber, now) > now)
        {
            return false;
        }

        var state = Channel(channel);
        state.Global?.Record(now);
        var s = SubscriberState(state, channel, subscriber);
        s.PerSubscriber?.Record(now);
        s.PerGroup?.Record(now);
        if (++operationsSinceCleanup >= 4096)
        {
            Cleanup(now);
        }

        return true;
    }

    /// <summary>429 for one subscriber: nothing goes to it before <paramref name="until"/>; others are not affected.</summary>
    public void PauseSubscriber(IAlertChannel channel, Subscriber subscriber, DateTimeOffset until)
    {
        var s = SubscriberState(Channel(channel), channel, subscriber);
        s.PausedUntil = Max(s.PausedUntil, until);
    }

    /// <summary>429 with the global flag: the whole channel waits.</summary>
    public void PauseChannel(IAlertChannel channel, DateTimeOffset until)
    {
        var state = Channel(channel);
        state.PausedUntil = Max(state.PausedUntil, until);
    }

    /// <summary>Number of subscribers with live limiter state (for tests: idle state is dropped).</summary>
    public int TrackedSubscribers => channels.Values.Sum(c => c.Subscribers.Count);

    /// <summary>Drops state that no longer restricts anything, so memory follows the active subscribers only.</summary>
    public void Cleanup(DateTimeOffset now)
    {
        operationsSinceCleanup = 0;
        foreach (var state in channels.Values)
        {
            List<string>? idle = null;
            foreach (var (id, s) in state.Subscribers)
            {
                if (s.PausedUntil <= now && (s.PerSubscriber?.IsIdle(now) ?? true) && (s.PerGroup?.IsIdle(now) ?? true))
                {
                    (idle ??= []).Add(id);
                }
            }

            idle?.ForEach(id => state.Subscribers.Remove(id));
        }
    }

    private static DateTimeOffset SubscriberEarliest(ChannelState state, Subscriber subscriber, DateTimeOffset now)
    {
        if (!state.Subscribers.TryGetValue(subscriber.Id, out var s))
        {
            return now;
        }

        var earliest = Max(now, s.PausedUntil);
        if (s.PerSubscriber is not null)
        {
            earliest = Max(earliest, s.PerSubscriber.EarliestPermit(now));
        }

        if (s.PerGroup is not null)
        {
            earliest = Max(earliest, s.PerGroup.EarliestPermit(now));
        }

        return earliest;
    }

    private ChannelState Channel(IAlertChannel channel)
    {
        if (!channels.TryGetValue(channel, out var state))
        {
            state = new ChannelState(channel.Limits.Global is { } g ? new SlidingWindowLog(g) : null);
            channels[channel] = state;
        }

        return state;
    }

    private static SubscriberLimits SubscriberState(ChannelState state, IAlertChannel channel, Subscriber subscriber)
    {
        if (!state.Subscribers.TryGetValue(subscriber.Id, out var s))
        {
            s = new SubscriberLimits(
                channel.Limits.PerSubscriber is { } p ? new SlidingWindowLog(p) : null,
                subscriber.IsGroup && channel.Limits.PerGroup is { } g ? new SlidingWindowLog(g) : null);
            state.Subscribers[subscriber.Id] = s;
        }

        return s;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a >= b ? a : b;

    private sealed class ChannelState(SlidingWindowLog? global)
    {
        public SlidingWindowLog? Global { get; } = global;

        public DateTimeOffset PausedUntil { get; set; }

        public Dictionary<string, SubscriberLimits> Subscribers { get; } = new(StringComparer.Ordinal);
    }

    private sealed class SubscriberLimits(SlidingWindowLog? perSubscriber, SlidingWindowLog? perGroup)
    {
        public SlidingWindowLog? PerSubscriber { get; } = perSubscriber;

        public SlidingWindowLog? PerGroup { get; } = perGroup;

        public DateTimeOffset PausedUntil { get; set; }
    }
}
