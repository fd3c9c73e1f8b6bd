using Alerts.Core.Delivery;
using Alerts.Core.Diffing;
using Alerts.Core.Tickers;
using Alerts.Storage;
using BenchmarkDotNet.Attributes;

namespace Alerts.Benchmarks;

/// <summary>
/// Outbox throughput on each database: alerts enqueued per second (one poll commit carrying <see cref="Alerts"/>
/// alerts beside a 30-entry page) and alerts dispatched per second (claim in batches of 100, mark each sent, as
/// a dispatcher with a fake channel and limits off does). Results are per alert (OperationsPerInvoke).
/// PostgreSQL runs only when ALERTS_TEST_POSTGRES is set.
/// <code>dotnet run -c Release --project tests/Alerts.Benchmarks -- --filter '*Outbox*' --job short</code>
/// </summary>
[MemoryDiagnoser]
[InvocationCount(1)]
public class OutboxBenchmarks
{
    private const int Alerts = 1000;
    private const int ClaimBatch = 100;
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    private BenchDatabase db = null!;
    private ITickerStateStore tickers = null!;
    private IOutboxStore outbox = null!;
    private int poll;
    private DateTimeOffset now = new(2025, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [ParamsSource(nameof(Providers))]
    public string Provider { get; set; } = StorageOptions.Sqlite;

    public IEnumerable<string> Providers() => BenchDatabase.Providers();

    [GlobalSetup]
    public async Task SetUp()
    {
        db = await BenchDatabase.CreateAsync(Provider);
        var database = db.Database;
        tickers = new TickerStateStore(database, db.Options);
        outbox = new OutboxStore(database);
    }

    [GlobalCleanup]
    public async Task CleanUp() => await db.DisposeAsync();

    [Benchmark(OperationsPerInvoke = Alerts)]
    public Task Enqueue() => CommitPollWithAlertsAsync();

    [IterationSetup(Target = nameof(ClaimAndMarkSent))]
    public void FillOutbox() => CommitPollWithAlertsAsync().GetAwaiter().GetResult();

    [Benchmark(OperationsPerInvoke = Alerts)]
    public async Task ClaimAndMarkSent()
    {
        var sent = 0;
        while (true)
        {
            var batch = await outbox.ClaimDueAsync("bench", ClaimBatch, now, Lease);
            if (batch.Count == 0)
            {
                break;
            }

            foreach (var alert in batch)
            {
                await outbox.MarkSentAsync(alert.Id, now);
                sent++;
            }
        }

        if (sent < Alerts)
        {
            throw new InvalidOperationException($"Dispatched {sent} of {Alerts} alerts.");
        }
    }

    /// <summary>One poll: a 30-entry page whose newest entry is new and matches <see cref="Alerts"/> subscribers.</summary>
    private Task CommitPollWithAlertsAsync()
    {
        poll++;
        now = now.AddSeconds(1);
        var page = Enumerable.Range(0, 30).Select(i => MakeItem(poll - i)).ToList();
        var alerts = Enumerable.Range(0, Alerts).Select(s => new NewAlert($"telegram:{s}", page[0], "ukraine", ["Ukraine"])).ToList();
        return tickers.CommitPollAsync(new PollCommit("bench", page, alerts, "\"etag\"", null, now));
    }

    private static TickerItem MakeItem(int n)
    {
        var published = new DateTimeOffset(2025, 12, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(n);
        var headline = $"Meldung {n}: Lage in der Ukraine";
        const string body = "Ein Absatz Text, so lang wie eine typische Tickermeldung es ist, mit ein paar Sätzen Inhalt.\n\nUnd ein zweiter Absatz.";
        return new TickerItem("bench", ItemIdentity.TimeKey(published, 1), published, headline, body, null, ItemIdentity.ContentHash(headline, body));
    }
}
