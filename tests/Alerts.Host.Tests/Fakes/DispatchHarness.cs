using Alerts.Core.Delivery;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tickers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Alerts.Host.Tests.Fakes;

/// <summary>A dispatcher over the in-memory store, driven step by step in virtual time.</summary>
internal sealed class DispatchHarness
{
    public DispatchHarness(ChannelLimits limits, DispatchOptions? options = null, string platform = "test")
    {
        Options = options ?? new DispatchOptions();
        Channel = new RecordingChannel(Time, limits, platform);
        Dispatcher = new AlertDispatcher(
            Store, Store, [Channel], [new SourceDefinition { Id = "src", Url = "http://127.0.0.1/" }],
            Options, Time, NullDeliveryObserver.Instance, NullLogger<AlertDispatcher>.Instance);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 12, 1, 12, 0, 0, TimeSpan.Zero));

    public InMemoryAlertStore Store { get; } = new();

    public RecordingChannel Channel { get; }

    public DispatchOptions Options { get; }

    public AlertDispatcher Dispatcher { get; }

    public DateTimeOffset Start { get; private set; }

    public async Task<Subscriber> AddSubscriberAsync(string address, bool isGroup = false, string platform = "test") =>
        await Store.EnsureSubscriberAsync(new Subscriber(Subscriber.MakeId(platform, address), platform, address, IsGroup: isGroup));

    public IReadOnlyList<long> Enqueue(IEnumerable<(string Subscriber, string Key)> alerts)
    {
        Start = Time.GetUtcNow();
        return Store.Enqueue(alerts, Start);
    }

    /// <summary>Steps the dispatcher, jumping virtual time to whenever it next has something to do.</summary>
    public async Task RunUntilAsync(Func<bool> done, TimeSpan maxVirtualTime)
    {
        var end = Time.GetUtcNow() + maxVirtualTime;
        var idle = 0;
        while (!done() && Time.GetUtcNow() < end)
        {
            var before = Channel.Sends.Count;
            var next = await Dispatcher.StepAsync("owner");
            await Dispatcher.DrainAsync();
            var now = Time.GetUtcNow();
            // Sends that just finished free capacity at once (in production their completion wakes the loop).
            var advance = next > now && Channel.Sends.Count == before ? next - now : TimeSpan.Zero;
            if (advance > Options.IdlePollInterval)
            {
                advance = Options.IdlePollInterval;
            }

            idle = Channel.Sends.Count == before && advance == TimeSpan.Zero ? idle + 1 : 0;
            if (idle > 3)
            {
                advance = TimeSpan.FromMilliseconds(1);
            }

            if (advance > TimeSpan.Zero)
            {
                Time.Advance(advance);
            }
        }
    }

    public bool AllSettled() => Store.Rows.All(r => r.Status != OutboxStatus.Pending);

    /// <summary>The largest number of sends in any window of the given length (sliding).</summary>
    public static int MaxInAnyWindow(IEnumerable<DateTimeOffset> times, TimeSpan window)
    {
        var sorted = times.Order().ToArray();
        var max = 0;
        var lo = 0;
        for (var hi = 0; hi < sorted.Length; hi++)
        {
            while (sorted[hi] - sorted[lo] >= window)
            {
                lo++;
            }

            max = Math.Max(max, hi - lo + 1);
        }

        return max;
    }
}
