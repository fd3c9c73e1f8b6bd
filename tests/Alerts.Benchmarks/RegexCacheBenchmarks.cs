using System.Globalization;
using Alerts.Core.Matching;
using Alerts.Core.Tickers;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Alerts.Benchmarks;

// dotnet run -c Release --project tests/Alerts.Benchmarks -- --filter '*RegexCacheBenchmarks*' --job short

/// <summary>
/// N subscriptions whose queries differ but share one regex (the costliest the cost model accepts), so that the index
/// cannot share them as one query: <c>/(\w+\s*){12}q/ OR wordI</c>. Before: every subscription builds and keeps its own
/// regex (a cache of its own for each, which is what the code did before the shared cache: its own regexes at parse time
/// and compile time). After: one shared <see cref="RegexCache"/>. Building is parse + compile of all N; matching
/// evaluates all N compiled queries against the next of 64 shuffled variants of the benchmark item, which the automata
/// all met during the setup (as in service after a while: warm automata, N of them or one). The setups print what each
/// variant keeps in memory after that.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class RegexCacheBenchmarks
{
    public const string Regex = @"(\w+\s*){12}q";

    private readonly TickerItem[] items = RegexCostBenchmarks.Variants(64);
    private string[] queries = [];
    private CompiledQuery[] unshared = [];
    private CompiledQuery[] shared = [];
    private int next;

    [Params(1_000)]
    public int Subscriptions { get; set; }

    [GlobalSetup]
    public void Setup() => queries = [.. Enumerable.Range(0, Subscriptions).Select(i => $"/{Regex}/ OR word{i}")];

    [GlobalSetup(Target = nameof(MatchEach))]
    public void SetupEach()
    {
        Setup();
        unshared = Kept("unshared", BuildUnshared);
    }

    [GlobalSetup(Target = nameof(MatchShared))]
    public void SetupShared()
    {
        Setup();
        var cache = new RegexCache();
        shared = Kept("shared", () => Build(new QueryOptions { Regexes = cache }));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"// shared cache: {cache.Count} regex, estimated {cache.EstimatedBytes / 1048576.0:F2} MB, {cache.Builds} build"));
    }

    [Benchmark(Baseline = true, Description = "before: build, a regex per subscription")]
    [BenchmarkCategory("build")]
    public int BuildEach() => BuildUnshared().Length;

    [Benchmark(Description = "after: build, one shared cache")]
    [BenchmarkCategory("build")]
    public int BuildShared() => Build(new QueryOptions { Regexes = new RegexCache() }).Length;

    [Benchmark(Baseline = true, Description = "before: match a new item, a regex per subscription")]
    [BenchmarkCategory("match")]
    public int MatchEach() => Count(unshared, NextItem());

    [Benchmark(Description = "after: match a new item, one shared cache")]
    [BenchmarkCategory("match")]
    public int MatchShared() => Count(shared, NextItem());

    private CompiledQuery[] BuildUnshared() => [.. queries.Select(q => Compile(q, new QueryOptions { Regexes = new RegexCache() }))];

    private CompiledQuery[] Build(QueryOptions options) => [.. queries.Select(q => Compile(q, options))];

    private static CompiledQuery Compile(string query, QueryOptions options) =>
        CompiledQuery.Compile(QueryParser.Parse(query, options), TextNormalizer.Default, options);

    /// <summary>Builds the queries and lets them meet every variant; prints what they keep in memory (their automata grown as in service).</summary>
    private CompiledQuery[] Kept(string name, Func<CompiledQuery[]> build)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var queries = build();
        foreach (var item in items)
        {
            _ = Count(queries, item);
        }

        var kept = GC.GetTotalMemory(forceFullCollection: true) - before;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// {Subscriptions} subscriptions, {name}, after 64 items: {kept / 1048576.0:F1} MB kept"));
        return queries;
    }

    private static int Count(CompiledQuery[] queries, TickerItem item)
    {
        var analyzed = AnalyzedItem.Create(item, TextNormalizer.Default);
        var matched = 0;
        foreach (var query in queries)
        {
            analyzed.StartBudget(QueryOptions.Default.ItemBudget);
            matched += query.Matches(analyzed) ? 1 : 0;
        }

        return matched;
    }

    private TickerItem NextItem() => items[next++ % items.Length];
}
