using Alerts.Core.Subscriptions;

namespace Alerts.Core.Delivery;

/// <summary>
/// Enforces each channel's <see cref="ChannelLimits"/> (global, per subscriber, per group) and the pauses a
/// platform asks for with 429 <c>retry_after</c>: a subscriber-level pause delays only that subscriber,
/// a global one the whole channel. Alerts (through the dispatcher) and command replies, button answers and
/// edits (through the adapters) take their permits here, so together they stay inside the platform's limits;
/// a reply whose own chat may have one goes before every waiting alert (SPEC §6).
/// </summary>
/// <remarks>
/// Not built on <c>System.Threading.RateLimiting</c>: its limiters read <c>Stopwatch</c> and their own timers
/// rather than a <see cref="TimeProvider"/>, a fixed window lets twice the limit through around a window
/// boundary, a chained limiter spends the outer permits when an inner one refuses, and the dispatcher needs
/// to ask "when is the next permit?" to sleep or reschedule instead of waiting on a lease. The state lives
/// in one process: alerts are sent by the holder of the <c>dispatch</c> lease, replies by the instance that
/// received the update (docs/operations.md). Thread-safe; one instance per process.
/// </remarks>
public sealed class DeliveryRateLimiter
{
    private readonly Lock gate = new();
    private readonly Dictionary<IAlertChannel, ChannelState> channels = new(ReferenceEqualityComparer.Instance);
    private int operationsSinceCleanup;

    /// <summary>The earliest time the subscriber may get its next message on this channel.</summary>
    public DateTimeOffset EarliestFor(IAlertChannel channel, Subscriber subscriber, DateTimeOffset now)
    {
        lock (gate)
        {
            var state = Channel(channel);
            return Max(GlobalEarliest(state, now), SubscriberEarliest(state, subscriber, now));
        }
    }

    /// <summary>The earliest time the subscriber's own limits and pauses allow its next message (the channel's global limit aside).</summary>
    public DateTimeOffset SubscriberEarliest(IAlertChannel channel, Subscriber subscriber, DateTimeOffset now)
    {
        lock (gate)
        {
            return SubscriberEarliest(Channel(channel), subscriber, now);
        }
    }

    /// <summary>The average spacing the subscriber's own limits impose between its messages.</summary>
    public static TimeSpan SpacingFor(IAlertChannel channel, Subscriber subscriber)
    {
        var spacing = channel.Limits.PerSubscriber is { } r ? r.Window / r.PermitLimit : TimeSpan.Zero;
        if (subscriber.IsGroup && channel.Limits.PerGroup is { } g && g.Window / g.PermitLimit > spacing)
        {
            spacing = g.Window / g.PermitLimit;
        }

        return spacing;
    }

    /// <summary>
    /// Takes one permit from every limit that applies for an alert, if all of them have one at <paramref name="now"/>
    /// and no reply is waiting for the channel's next global permit (replies go first).
    /// </summary>
    public bool TryAcquire(IAlertChannel channel, Subscriber subscriber, DateTimeOffset now)
    {
        lock (gate)
        {
            var state = Channel(channel);
            if (state.WaitingReplies > 0)
            {
                return false;
            }

            return TryAcquire(state, channel, subscriber, now);
        }
    }

    /// <summary>True while replies wait for this channel's global limit: alerts hold back until they are out.</summary>
    public bool RepliesWaiting(IAlertChannel channel)
    {
        lock (gate)
        {
            return Channel(channel).WaitingReplies > 0;
        }
    }

    /// <summary>
    /// Waits until a reply (command answer, button answer, edit) to <paramref name="subscriber"/> may go out, and takes
    /// its permits. Once the chat's own limits allow it, it is ahead of every alert for the channel's global permits.
    /// </summary>
    public async Task AcquireForReplyAsync(IAlertChannel channel, Subscriber subscriber, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);
        var queued = false;
        ChannelState? state = null;
        try
        {
            while (true)
            {
                TimeSpan wait;
                lock (gate)
                {
                    var now = time.GetUtcNow();
                    state ??= Channel(channel);
                    var own = SubscriberEarliest(state, subscriber, now);
                    if (own <= now)
                    {
                        if (!queued)
                        {
                            state.WaitingReplies++;
                            queued = true;
                        }

                        if (TryAcquire(state, channel, subscriber, now))
                        {
                            return;
                        }

                        wait = GlobalEarliest(state, now) - now;
                    }
                    else
                    {
                        wait = own - now;
                    }
                }

                // A permit freed by time, never by an event: sleep until then (at least a tick, so waiters never spin).
                await Task.Delay(wait > TimeSpan.FromMilliseconds(1) ? wait : TimeSpan.FromMilliseconds(1), time, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (queued)
            {
                lock (gate)
                {
                    state!.WaitingReplies--;
                }
            }
        }
    }

    /// <summary>429 for one subscriber: nothing goes to it before <paramref name="until"/>; others are not affected.</summary>
    public void PauseSubscriber(IAlertChannel channel, Subscriber subscriber, DateTimeOffset until)
    {
        lock (gate)
        {
            var s = SubscriberState(Channel(channel), channel, subscriber);
            s.PausedUntil = Max(s.PausedUntil, until);
        }
    }

    /// <summary>429 with the global flag: the whole channel waits.</summary>
    public void PauseChannel(IAlertChannel channel, DateTimeOffset until)
    {
        lock (gate)
        {
            var state = Channel(channel);
            state.PausedUntil = Max(state.PausedUntil, until);
        }
    }

    /// <summary>Number of subscribers with live limiter state (for tests: idle state is dropped).</summary>
    public int TrackedSubscribers
    {
        get
        {
            lock (gate)
            {
                return channels.Values.Sum(c => c.Subscribers.Count);
            }
        }
    }

    /// <summary>Drops state that no longer restricts anything, so memory follows the active subscribers only.</summary>
    public void Cleanup(DateTimeOffset now)
    {
        lock (gate)
        {
            CleanupLocked(now);
        }
    }

    private bool TryAcquire(ChannelState state, IAlertChannel channel, Subscriber subscriber, DateTimeOffset now)
    {
        if (Max(GlobalEarliest(state, now), SubscriberEarliest(state, subscriber, now)) > now)
        {
            return false;
        }

        state.Global?.Record(now);
        var s = SubscriberState(state, channel, subscriber);
        s.PerSubscriber?.Record(now);
        s.PerGroup?.Record(now);
        if (++operationsSinceCleanup >= 4096)
        {
            CleanupLocked(now);
        }

        return true;
    }

    private void CleanupLocked(DateTimeOffset now)
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

    private static DateTimeOffset GlobalEarliest(ChannelState state, DateTimeOffset now)
    {
        var earliest = Max(now, state.PausedUntil);
        return state.Global is null ? earliest : Max(earliest, state.Global.EarliestPermit(now));
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

        /// <summary>Replies whose own chat allows them now and that wait only for a global permit.</summary>
        public int WaitingReplies { get; set; }

        public Dictionary<string, SubscriberLimits> Subscribers { get; } = new(StringComparer.Ordinal);
    }

    private sealed class SubscriberLimits(SlidingWindowLog? perSubscriber, SlidingWindowLog? perGroup)
    {
        public SlidingWindowLog? PerSubscriber { get; } = perSubscriber;

        public SlidingWindowLog? PerGroup { get; } = perGroup;

        public DateTimeOffset PausedUntil { get; set; }
    }
}
