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
/// evaluates all N compiled queries against the next of 64 shuffled variants of the benchmark item, so every call meets
/// text the automata have not cached yet, as each new ticker entry does.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class RegexCacheBenchmarks
{
    public const string Regex = @"(\w+\s*){12}q";

    private readonly TickerItem[] _items = RegexCostBenchmarks.Variants(64);
    private string[] _queries = [];
    private CompiledQuery[] _unshared = [];
    private CompiledQuery[] _shared = [];
    private int _next;

    [Params(1_000)]
    public int Subscriptions { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _queries = [.. Enumerable.Range(0, Subscriptions).Select(i => $"/{Regex}/ OR word{i}")];

        // What the compiled queries keep, once each has met every variant (its automaton grown as it would in service).
        var before = GC.GetTotalMemory(forceFullCollection: true);
        _unshared = BuildUnshared();
        WarmUp(_unshared);
        var unshared = GC.GetTotalMemory(forceFullCollection: true) - before;

        before = GC.GetTotalMemory(forceFullCollection: true);
        var cache = new RegexCache();
        _shared = Build(new QueryOptions { Regexes = cache });
        WarmUp(_shared);
        var shared = GC.GetTotalMemory(forceFullCollection: true) - before;

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"// {Subscriptions} subscriptions after 64 items: unshared keep {unshared / 1048576.0:F1} MB, shared keep {shared / 1048576.0:F1} MB ({cache.Count} regex, estimated {cache.EstimatedBytes / 1048576.0:F2} MB, {cache.Builds} build)"));
    }

    [Benchmark(Baseline = true, Description = "before: build, a regex per subscription")]
    [BenchmarkCategory("build")]
    public int BuildEach() => BuildUnshared().Length;

    [Benchmark(Description = "after: build, one shared cache")]
    [BenchmarkCategory("build")]
    public int BuildShared() => Build(new QueryOptions { Regexes = new RegexCache() }).Length;

    [Benchmark(Baseline = true, Description = "before: match a new item, a regex per subscription")]
    [BenchmarkCategory("match")]
    public int MatchEach() => Count(_unshared, NextItem());

    [Benchmark(Description = "after: match a new item, one shared cache")]
    [BenchmarkCategory("match")]
    public int MatchShared() => Count(_shared, NextItem());

    private CompiledQuery[] BuildUnshared() => [.. _queries.Select(q => Compile(q, new QueryOptions { Regexes = new RegexCache() }))];

    private CompiledQuery[] Build(QueryOptions options) => [.. _queries.Select(q => Compile(q, options))];

    private static CompiledQuery Compile(string query, QueryOptions options) =>
        CompiledQuery.Compile(QueryParser.Parse(query, options), TextNormalizer.Default, options);

    private void WarmUp(CompiledQuery[] queries)
    {
        foreach (var item in _items)
        {
            _ = Count(queries, item);
        }
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

    private TickerItem NextItem() => _items[_next++ % _items.Length];
}
