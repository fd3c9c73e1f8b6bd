using Alerts.Core.Subscriptions;

namespace Alerts.Core.Delivery;

/// <summary>A claimed outbox row on its way: the alert, who gets it, and through which channel.</summary>
internal sealed record PendingAlert(OutboxAlert Alert, Subscriber To, IAlertChannel Channel, bool Migrated = false);

/// <summary>One message to send: one alert, or a subscriber's waiting alerts combined (oldest first).</summary>
internal sealed record OutgoingMessage(IReadOnlyList<PendingAlert> Rows)
{
    public Subscriber To => Rows[0].To;

    public IAlertChannel Channel => Rows[0].Channel;
}

/// <summary>
/// The claimed rows in memory: one queue per subscriber, in the order they were claimed, and the limits each is held
/// to. Decides what goes out now: a subscriber's next message when its own limits, the channel's global limit and
/// the send pipeline allow it, never two at once to one subscriber. When the subscriber's own limit (or a 429 for it)
/// held back more than one alert, they go out together in one message (SPEC §4). Thread-safe.
/// </summary>
internal sealed class DeliverySchedule(DeliveryRateLimiter limiter, int maxInFlight)
{
    private readonly Lock gate = new();
    private readonly HashSet<long> held = [];
    private readonly Dictionary<string, SubscriberQueue> queues = new(StringComparer.Ordinal);
    private readonly List<SubscriberQueue> ring = [];
    private readonly SendPipeline pipeline = new(maxInFlight);

    /// <summary>Rows in memory, queued or in flight.</summary>
    public int HeldCount
    {
        get
        {
            lock (gate)
            {
                return held.Count;
            }
        }
    }

    public int InFlight
    {
        get
        {
            lock (gate)
            {
                return pipeline.InFlight;
            }
        }
    }

    public bool IsHeld(long id)
    {
        lock (gate)
        {
            return held.Contains(id);
        }
    }

    /// <summary>
    /// When a new row for <paramref name="to"/> could go out as far as the subscriber's own limits are concerned, behind
    /// what is queued for it already (a channel that combines sends the queue in fewer messages).
    /// </summary>
    public DateTimeOffset EstimateFor(IAlertChannel channel, Subscriber to, DateTimeOffset now)
    {
        lock (gate)
        {
            var queued = queues.TryGetValue(to.Id, out var q) ? q.Rows.Count + (q.InFlight ? 1 : 0) : 0;
            var messagesAhead = queued / Math.Max(1, channel.MaxCombined);
            return limiter.SubscriberEarliest(channel, to, now) + (DeliveryRateLimiter.SpacingFor(channel, to) * messagesAhead);
        }
    }

    /// <summary>
    /// Queues a claimed row behind its subscriber's others. <paramref name="heldBack"/>: its subscriber's own limit
    /// already held it back once (it was put back for that), so it goes out with the rest of that backlog.
    /// </summary>
    public void Enqueue(PendingAlert row, bool heldBack = false)
    {
        Enqueue([row], atFront: false);
        if (heldBack)
        {
            lock (gate)
            {
                queues[row.To.Id].HeldBack = true;
            }
        }
    }

    /// <summary>Puts rows back at the head of their subscriber's queue (a 429 or a migration), keeping their order.</summary>
    public void Requeue(IReadOnlyList<PendingAlert> rows) => Enqueue(rows, atFront: true);

    /// <summary>
    /// Takes every message that may start now. <paramref name="next"/> is lowered to the earliest time a waiting queue
    /// could go, when that is what it waits for (not the pipeline).
    /// </summary>
    public List<OutgoingMessage> TakeReady(DateTimeOffset now, ref DateTimeOffset next)
    {
        var ready = new List<OutgoingMessage>();
        lock (gate)
        {
            foreach (var queue in ring)
            {
                if (pipeline.Full)
                {
                    break;
                }

                if (queue.InFlight || queue.Rows.Count == 0)
                {
                    continue;
                }

                var head = queue.Rows.First!.Value;
                var own = limiter.SubscriberEarliest(head.Channel, head.To, now);
                if (own > now)
                {
                    // Whatever waits now waits for this subscriber's own limit: it goes out in one message.
                    queue.HeldBack = true;
                    next = Min(next, own);
                    continue;
                }

                if (!pipeline.CanStart(head.Channel))
                {
                    continue;
                }

                if (!limiter.TryAcquire(head.Channel, head.To, now))
                {
                    // Replies waiting for the global permit go first; look again shortly rather than spin.
                    next = Min(next, limiter.RepliesWaiting(head.Channel) ? now + RepliesFirstPause : limiter.EarliestFor(head.Channel, head.To, now));
                    continue;
                }

                var take = queue.HeldBack ? Combinable(queue.Rows, head.Channel.MaxCombined) : 1;
                var rows = new List<PendingAlert>(take);
                for (var i = 0; i < take; i++)
                {
                    rows.Add(queue.Rows.First!.Value);
                    queue.Rows.RemoveFirst();
                }

                pipeline.Start(head.Channel);
                queue.HeldBack = false;
                queue.InFlight = true;
                ready.Add(new OutgoingMessage(rows));
            }

            ring.RemoveAll(q => !q.InFlight && q.Rows.Count == 0 && queues.Remove(q.SubscriberId));
        }

        return ready;
    }

    /// <summary>
    /// <paramref name="message"/> is settled (its platform answered after <paramref name="roundTrip"/>, when it did):
    /// its subscriber may get the next one.
    /// </summary>
    public void Finished(OutgoingMessage message, TimeSpan? roundTrip)
    {
        lock (gate)
        {
            pipeline.Finish(message.Channel, roundTrip);
            if (queues.TryGetValue(message.To.Id, out var queue))
            {
                queue.InFlight = false;
            }
        }
    }

    /// <summary>The rows are settled (sent, failed or back in the database): no longer held here.</summary>
    public void Forget(IEnumerable<PendingAlert> rows)
    {
        lock (gate)
        {
            foreach (var row in rows)
            {
                held.Remove(row.Alert.Id);
            }
        }
    }

    /// <summary>Takes every row still queued for the subscriber out of memory (it is gone, or moved).</summary>
    public List<PendingAlert> TakeQueued(string subscriberId)
    {
        lock (gate)
        {
            if (!queues.TryGetValue(subscriberId, out var queue))
            {
                return [];
            }

            List<PendingAlert> rows = [.. queue.Rows];
            queue.Rows.Clear();
            foreach (var row in rows)
            {
                held.Remove(row.Alert.Id);
            }

            return rows;
        }
    }

    /// <summary>Empties the schedule (the dispatcher stops); returns the ids of the rows that were held.</summary>
    public List<long> Clear()
    {
        lock (gate)
        {
            List<long> ids = [.. held];
            held.Clear();
            queues.Clear();
            ring.Clear();
            return ids;
        }
    }

    private static readonly TimeSpan RepliesFirstPause = TimeSpan.FromMilliseconds(20);

    private void Enqueue(IReadOnlyList<PendingAlert> rows, bool atFront)
    {
        lock (gate)
        {
            for (var i = atFront ? rows.Count - 1 : 0; atFront ? i >= 0 : i < rows.Count; i += atFront ? -1 : 1)
            {
                var row = rows[i];
                if (!queues.TryGetValue(row.To.Id, out var queue))
                {
                    queue = new SubscriberQueue(row.To.Id);
                    queues[row.To.Id] = queue;
                    ring.Add(queue);
                }

                if (atFront)
                {
                    queue.Rows.AddFirst(row);
                }
                else
                {
                    queue.Rows.AddLast(row);
                }

                held.Add(row.Alert.Id);
            }
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a <= b ? a : b;

    /// <summary>
    /// How many rows from the head go out in one combined message: new alerts only, up to the channel's maximum. An edit
    /// changes a message already sent, so it always goes alone.
    /// </summary>
    private static int Combinable(LinkedList<PendingAlert> rows, int maxCombined)
    {
        var count = 0;
        for (var node = rows.First; node is not null && count < Math.Max(1, maxCombined) && !node.Value.Alert.IsEdit; node = node.Next)
        {
            count++;
        }

        return Math.Max(1, count);
    }

    private sealed class SubscriberQueue(string subscriberId)
    {
        public string SubscriberId { get; } = subscriberId;

        public LinkedList<PendingAlert> Rows { get; } = new();

        public bool InFlight { get; set; }

        /// <summary>The subscriber's own limit (or a pause for it) kept the head waiting since its last message.</summary>
        public bool HeldBack { get; set; }
    }
}
