using System.Globalization;
using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tickers;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace Alerts.Benchmarks;

// dotnet run -c Release --project tests/Alerts.Benchmarks -- --filter '*RegexCostBenchmarks*'

/// <summary>
/// The most expensive regex query a subscriber can save, matched against items like the benchmark item: 64 variants
/// with its words shuffled, taken in turn, so that every call meets text the automaton has not cached yet (as each new
/// ticker entry does). Baseline: issue 13's query, which the parser accepted before the cost model and refuses now,
/// compiled here without the parser, with the 50 ms timeout per call and no item budget, as before.
/// After: the worst query the cost model accepts, through the parser and the index with the default budget.
/// </summary>
[Config(typeof(FewIterationsConfig))]
[MemoryDiagnoser]
public class RegexCostBenchmarks
{
    /// <summary>Issue 13: counted repetitions of overlapping loops, several to a query, under 256 characters.</summary>
    public const string IssueQuery = @"/(\w*\s*){200}q/ OR /(\w*\s*){200}r/ OR /(\w*\s*){200}x/ OR /(\w*\s*){200}z/ OR /(\w*\s*){200}y/ OR /(\w*\s*){200}j/";

    /// <summary>As close to issue 13's query as the limits allow: 24 variable repetitions, about 800 states.</summary>
    public const string WorstLegalQuery = @"/(\w+\s*){12}q/ OR /(ab){100}x/ OR /(cd){100}y/ OR /(ef){100}z/ OR /(gh){90}/";

    private readonly TickerItem[] items = Variants(64);
    private CompiledQuery? before;
    private MatcherIndex? after;
    private int next;

    [GlobalSetup]
    public void Setup()
    {
        var node = new OrNode(new NodeList([.. IssueQuery.Split(" OR ").Select(r => new RegexNode(r.Trim('/')))]));
        before = CompiledQuery.Compile(node, TextNormalizer.Default, new QueryOptions { ItemBudget = TimeSpan.MaxValue });
        after = new MatcherIndex();
        after.Add(new Subscription(1, "a", WorstLegalQuery, null, DateTimeOffset.UnixEpoch));

        var cost = WorstLegalQuery.Split(" OR ").Select(r => RegexCost.Of(r.Trim('/'))).ToList();
        QueryParser.TryParse(IssueQuery, null, out _, out var error);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"// worst legal query: {cost.Sum(c => c.Size)} states, {cost.Sum(c => c.Loops)} variable repetitions; issue query now refused: {error?.Reason}"));
    }

    [GlobalCleanup]
    public void Cleanup() => after?.Dispose();

    [Benchmark(Baseline = true, Description = "before: issue 13 query, no cost model")]
    public bool IssueQueryUnchecked() => before!.Matches(AnalyzedItem.Create(NextItem(), TextNormalizer.Default));

    [Benchmark(Description = "after: worst legal query, index with budget")]
    public int WorstLegalQueryInTheIndex() => after!.Match(NextItem()).Count;

    private TickerItem NextItem() => items[next++ % items.Length];

    /// <summary>The benchmark item with its body words shuffled: text an automaton has not cached yet.</summary>
    internal static TickerItem[] Variants(int count)
    {
        var words = BenchmarkData.Item.Body.Split(' ');
        var random = new Random(13);
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            var shuffled = words.ToArray();
            random.Shuffle(shuffled);
            return BenchmarkData.Item with { Key = "k" + i, Body = string.Join(' ', shuffled) };
        })];
    }

    private sealed class FewIterationsConfig : ManualConfig
    {
        public FewIterationsConfig() =>
            AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(5).WithId("few-iterations"));
    }
}
