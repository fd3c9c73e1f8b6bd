using System.Collections.Concurrent;
using System.Diagnostics;
using Alerts.Core.Delivery;
using Alerts.Core.Subscriptions;
using Alerts.TestSupport;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Alerts.Benchmarks;

/// <summary>
/// The dispatcher's own cost per alert, without a database: 10,000 due alerts for 1,000 subscribers through an
/// in-memory outbox to an instant channel, with the Telegram limits' bookkeeping on (set far above the load, so
/// they never delay) and off. The CPU time per alert is printed at the end ("dispatch cpu").
/// <code>dotnet run -c Release --project tests/Alerts.Benchmarks -- --filter '*DispatchBenchmarks*' --job short</code>
/// </summary>
[MemoryDiagnoser]
[InvocationCount(1)]
public class DispatchBenchmarks
{
    private const int Alerts = 10_000;
    private const int SubscriberCount = 1_000;
    private MemoryOutbox outbox = null!;
    private AlertDispatcher dispatcher = null!;
    private TimeSpan cpu;
    private long dispatched;

    [Params(false, true)]
    public bool Limits { get; set; }

    [IterationSetup]
    public void Fill()
    {
        outbox = new MemoryOutbox(Alerts, SubscriberCount);
        var limits = Limits
            ? new ChannelLimits(new RateLimitRule(1_000_000, TimeSpan.FromSeconds(1)), new RateLimitRule(100, TimeSpan.FromSeconds(1)), null)
            : ChannelLimits.None;
        dispatcher = new AlertDispatcher(
            outbox, outbox.Subscribers, [new InstantChannel(limits)], [], new DispatchOptions { BatchSize = 500 },
            TimeProvider.System, NullDeliveryObserver.Instance, NullLogger<AlertDispatcher>.Instance);
    }

    [GlobalCleanup]
    public void Report() =>
        Console.WriteLine($"// dispatch cpu limits={Limits}: {cpu.TotalMilliseconds * 1000 / dispatched:F2} µs per alert ({dispatched} alerts)");

    [Benchmark(OperationsPerInvoke = Alerts)]
    public async Task DispatchTenThousand()
    {
        var before = Process.GetCurrentProcess().TotalProcessorTime;
        while (outbox.Sent < Alerts)
        {
            await dispatcher.StepAsync("bench");
            await dispatcher.DrainAsync();
        }

        cpu += Process.GetCurrentProcess().TotalProcessorTime - before;
        dispatched += Alerts;
    }

    private sealed class InstantChannel(ChannelLimits limits) : IAlertChannel
    {
        public IReadOnlyCollection<string> Platforms { get; } = ["bench"];

        public ChannelLimits Limits { get; } = limits;

        public Task<SendResult> SendAsync(OutboxAlert alert, AlertContext context, Subscriber to, CancellationToken cancellationToken) =>
            Task.FromResult<SendResult>(new SendResult.Sent(null));
    }

}

/// <summary>
/// The dispatcher's pace at Telegram's limits (30/s overall, 1/s per chat) against a simulated channel that answers
/// after 10, 100 or 250 ms, in real time: 150 alerts to 150 chats, the default <see cref="DispatchOptions"/> (at most 8
/// sends in flight). Prints messages per second and their share of 30/s ("dispatch pace"); goal ≥ 95% at every round trip.
/// <code>dotnet run -c Release --project tests/Alerts.Benchmarks -- --filter '*PacedDispatch*' --job short</code>
/// </summary>
[InvocationCount(1)]
public class PacedDispatchBenchmarks
{
    private const int Alerts = 150;
    private readonly List<double> rates = [];
    private MemoryOutbox outbox = null!;
    private DelayedChannel channel = null!;
    private AlertDispatcher dispatcher = null!;

    [Params(10, 100, 250)]
    public int RoundTripMs { get; set; }

    [IterationSetup]
    public void Fill()
    {
        outbox = new MemoryOutbox(Alerts, Alerts);
        channel = new DelayedChannel(TimeSpan.FromMilliseconds(RoundTripMs));
        dispatcher = new AlertDispatcher(
            outbox, outbox.Subscribers, [channel], [], new DispatchOptions(),
            TimeProvider.System, NullDeliveryObserver.Instance, NullLogger<AlertDispatcher>.Instance);
    }

    [GlobalCleanup]
    public void Report()
    {
        var sorted = rates.Order().ToArray();
        var median = sorted[sorted.Length / 2];
        Console.WriteLine($"// dispatch pace round trip={RoundTripMs} ms: median {median:F1} messages/s = {median / 30:P1} of 30/s (runs: {string.Join(", ", sorted.Select(r => r.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))})");
    }

    [Benchmark]
    public async Task DispatchAtTelegramsLimits()
    {
        using var stop = new CancellationTokenSource();
        var run = dispatcher.RunAsync("bench", () => outbox.Sent < Alerts, stop.Token);
        await run;
        var times = channel.Times.Order().ToArray();
        rates.Add((times.Length - 1) / (times[^1] - times[0]).TotalSeconds);
    }

    private sealed class DelayedChannel(TimeSpan roundTrip) : IAlertChannel
    {
        public IReadOnlyCollection<string> Platforms { get; } = ["bench"];

        public ChannelLimits Limits { get; } = new(new RateLimitRule(30, TimeSpan.FromSeconds(1)), new RateLimitRule(1, TimeSpan.FromSeconds(1)), new RateLimitRule(20, TimeSpan.FromMinutes(1)));

        public ConcurrentQueue<DateTimeOffset> Times { get; } = new();

        public async Task<SendResult> SendAsync(OutboxAlert alert, AlertContext context, Subscriber to, CancellationToken cancellationToken)
        {
            Times.Enqueue(DateTimeOffset.UtcNow);
            await Task.Delay(roundTrip, cancellationToken);
            return new SendResult.Sent(null);
        }
    }
}

/// <summary>Just enough outbox for the dispatcher, with no cost of its own worth measuring, and its subscribers.</summary>
internal sealed class MemoryOutbox : IOutboxStore
{
    private readonly OutboxAlert[] rows;
    private int next;

    public MemoryOutbox(int alerts, int subscriberCount)
    {
        var now = DateTimeOffset.UtcNow;
        rows = [.. Enumerable.Range(0, alerts).Select(i => new OutboxAlert(i + 1, $"bench:s{i % subscriberCount}", "src", $"k{i}", now, "Headline", "Body", null, "q", ["q"], now))];
        for (var s = 0; s < subscriberCount; s++)
        {
            Subscribers.Subscribers[$"bench:s{s}"] = new Subscriber($"bench:s{s}", "bench", $"s{s}");
        }
    }

    private int sent;

    public InMemorySubscriptionStore Subscribers { get; } = new();

    public int Sent => Volatile.Read(ref sent);

    public Task<IReadOnlyList<OutboxAlert>> ClaimDueAsync(string owner, int max, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        var take = Math.Min(max, rows.Length - next);
        var batch = rows.AsSpan(next, take).ToArray();
        next += take;
        return Task.FromResult<IReadOnlyList<OutboxAlert>>(batch);
    }

    public Task<int> ReleaseClaimsAsync(DateTimeOffset now, CancellationToken cancellationToken = default) => Task.FromResult(0);

    public Task MarkSentAsync(long id, DateTimeOffset at, SentReceipt? receipt = null, CancellationToken cancellationToken = default)
    {
        // Sends settle concurrently (up to MaxConcurrentSends).
        Interlocked.Increment(ref sent);
        return Task.CompletedTask;
    }

    public Task MarkFailedAsync(long id, string reason, DateTimeOffset at, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task RescheduleAsync(long id, DateTimeOffset notBefore, string reason, bool countsAsAttempt, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("limits are set above the load; nothing should be put back");

    public Task<IReadOnlyDictionary<OutboxStatus, long>> CountByStatusAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyDictionary<OutboxStatus, long>>(new Dictionary<OutboxStatus, long>());
}
