namespace Alerts.Core.Delivery;

/// <summary>
/// How many sends may be in flight: per channel, enough to keep the channel at its global limit at the round trip it
/// actually shows (rate × median round trip, plus a quarter and one spare); all channels together, never more than
/// <see cref="DispatchOptions.MaxConcurrentSends"/>. A channel without a global limit, or one not measured yet, may use
/// the whole bound. Fewer in flight means fewer messages a crash can send twice, so the depth is no larger than needed.
/// Not thread-safe: <see cref="DeliverySchedule"/> owns it.
/// </summary>
internal sealed class SendPipeline(int maxInFlight)
{
    private readonly Dictionary<IAlertChannel, Pipe> pipes = new(ReferenceEqualityComparer.Instance);

    public int InFlight { get; private set; }

    public bool Full => InFlight >= maxInFlight;

    /// <summary>The depth the channel may use now (for tests and the log).</summary>
    public int DepthOf(IAlertChannel channel) => PipeOf(channel).Depth;

    public bool CanStart(IAlertChannel channel)
    {
        var pipe = PipeOf(channel);
        return !Full && pipe.InFlight < pipe.Depth;
    }

    public void Start(IAlertChannel channel)
    {
        PipeOf(channel).InFlight++;
        InFlight++;
    }

    public void Finish(IAlertChannel channel, TimeSpan? roundTrip)
    {
        var pipe = PipeOf(channel);
        pipe.InFlight--;
        InFlight--;
        if (roundTrip is { } measured)
        {
            pipe.Record(measured);
        }
    }

    private Pipe PipeOf(IAlertChannel channel)
    {
        if (!pipes.TryGetValue(channel, out var pipe))
        {
            pipe = new Pipe(channel.Limits.Global, maxInFlight);
            pipes[channel] = pipe;
        }

        return pipe;
    }

    private sealed class Pipe(RateLimitRule? global, int max)
    {
        private readonly int max = max;

        /// <summary>Round trips remembered; the median of these sets the depth, so one slow answer does not.</summary>
        private const int Samples = 15;

        private readonly double[] seconds = new double[Samples];
        private readonly double[] sorted = new double[Samples];
        private int count;
        private int next;

        public int InFlight { get; set; }

        public int Depth { get; private set; } = max;

        public void Record(TimeSpan roundTrip)
        {
            if (global is null)
            {
                return;
            }

            seconds[next] = roundTrip.TotalSeconds;
            next = (next + 1) % Samples;
            count = Math.Min(count + 1, Samples);
            Array.Copy(seconds, sorted, count);
            Array.Sort(sorted, 0, count);
            var median = sorted[count / 2];
            var perSecond = global.PermitLimit / global.Window.TotalSeconds;
            Depth = (int)Math.Clamp(Math.Ceiling(perSecond * median * 1.25) + 1, 1, max);
        }
    }
}
