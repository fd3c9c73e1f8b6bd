using System.Collections.Concurrent;
using System.Diagnostics;
using Alerts.Core.Delivery;
using Alerts.Core.Diffing;
using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tickers;
using Alerts.Storage;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Alerts.Benchmarks;

/// <summary>
/// The pipeline's own latency: from "the poll saw the item" (start of matching and the seen-set + outbox commit)
/// to "the fake channel received it", for one new item that 1, 1,000 or 10,000 subscribers match, through the
/// real matcher index, the real store and the real dispatcher (limits off, its default of one send in flight). BenchmarkDotNet
/// times one invocation (one poll's whole fan-out; for a single subscriber 100 polls one after the other, so that
/// its percentiles rest on enough samples); the per-alert p50/p99 are printed at the end of each case ("pipeline latency").
/// <code>dotnet run -c Release --project tests/Alerts.Benchmarks -- --filter '*Pipeline*' --job short</code>
/// </summary>
[InvocationCount(1)]
public class PipelineBenchmarks
{
    private readonly List<double> latencies = [];
    private BenchDatabase db = null!;
    private ITickerStateStore tickers = null!;
    private MatcherIndex matcher = null!;
    private AlertDispatcher dispatcher = null!;
    private ArrivalChannel channel = null!;
    private CancellationTokenSource stop = null!;
    private Task loop = null!;
    private int poll;

    [ParamsSource(nameof(Providers))]
    public string Provider { get; set; } = StorageOptions.Sqlite;

    [Params(1, 1_000, 10_000)]
    public int Subscribers { get; set; }

    public IEnumerable<string> Providers() => BenchDatabase.Providers();

    [GlobalSetup]
    public async Task SetUp()
    {
        db = await BenchDatabase.CreateAsync(Provider);
        var database = db.Database;
        tickers = new TickerStateStore(database, db.Options);
        var outbox = new OutboxStore(database);
        var subscriptions = new SubscriptionStore(database, TimeProvider.System);
        matcher = new MatcherIndex();
        for (var s = 0; s < Subscribers; s++)
        {
            var subscriber = await subscriptions.EnsureSubscriberAsync(new Subscriber($"bench:s{s}", "bench", $"s{s}"));
            matcher.Add(await subscriptions.AddSubscriptionAsync(subscriber.Id, "Ukraine", null, DateTimeOffset.UtcNow));
        }

        // Baseline poll: the source is known, so the next one alerts.
        await tickers.CommitPollAsync(new PollCommit("bench", [Item(0)], [], null, null, DateTimeOffset.UtcNow));

        channel = new ArrivalChannel();
        var dispatchOptions = new DispatchOptions { BatchSize = 500, IdlePollInterval = TimeSpan.FromMilliseconds(200) };
        dispatcher = new AlertDispatcher(outbox, subscriptions, [channel], [], dispatchOptions, TimeProvider.System, NullDeliveryObserver.Instance, NullLogger<AlertDispatcher>.Instance);
        stop = new CancellationTokenSource();
        loop = Task.Run(() => dispatcher.RunAsync("bench", () => true, stop.Token));
    }

    [GlobalCleanup]
    public async Task CleanUp()
    {
        await stop.CancelAsync();
        await loop;
        latencies.Sort();
        Console.WriteLine(
            $"// pipeline latency {Provider} subscribers={Subscribers}: alerts={latencies.Count} p50={Percentile(0.50):F2} ms p99={Percentile(0.99):F2} ms max={latencies[^1]:F2} ms");
        await db.DisposeAsync();
    }

    [Benchmark]
    public async Task PollToDelivered()
    {
        for (var i = Subscribers == 1 ? 100 : 1; i > 0; i--)
        {
            await OnePollAsync();
        }
    }

    private async Task OnePollAsync()
    {
        var item = Item(++poll);
        var done = channel.Expect(Subscribers);
        var saw = Stopwatch.GetTimestamp();

        var alerts = matcher.Match(item).Select(m => new NewAlert(m.SubscriberId, item, m.Query, m.Matched)).ToList();
        await tickers.CommitPollAsync(new PollCommit("bench", [item], alerts, null, null, DateTimeOffset.UtcNow));
        dispatcher.Signal();

        foreach (var arrived in await done)
        {
            latencies.Add(Stopwatch.GetElapsedTime(saw, arrived).TotalMilliseconds);
        }
    }

    private double Percentile(double p) => latencies[Math.Clamp((int)Math.Ceiling(p * latencies.Count) - 1, 0, latencies.Count - 1)];

    private static TickerItem Item(int n) =>
        new("bench", $"item-{n}", DateTimeOffset.UtcNow, $"Ukraine update {n}", "Body", null, ItemIdentity.ContentHash($"Ukraine update {n}", "Body"));

    /// <summary>Records when each alert arrived; completes when the expected number did.</summary>
    private sealed class ArrivalChannel : IAlertChannel
    {
        private readonly ConcurrentQueue<long> arrivals = new();
        private TaskCompletionSource<long[]>? waiting;
        private int expected;

        public IReadOnlyCollection<string> Platforms { get; } = ["bench"];

        public ChannelLimits Limits => ChannelLimits.None;

        public Task<long[]> Expect(int count)
        {
            arrivals.Clear();
            expected = count;
            waiting = new TaskCompletionSource<long[]>(TaskCreationOptions.RunContinuationsAsynchronously);
            return waiting.Task;
        }

        public Task<SendResult> SendAsync(OutboxAlert alert, AlertContext context, Subscriber to, CancellationToken cancellationToken)
        {
            arrivals.Enqueue(Stopwatch.GetTimestamp());
            if (arrivals.Count == expected)
            {
                waiting?.TrySetResult([.. arrivals]);
            }

            return Task.FromResult<SendResult>(new SendResult.Sent(null));
        }
    }
}
