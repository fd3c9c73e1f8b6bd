using Alerts.Core.Matching;
using static Alerts.Core.Tests.Matching.MatchingTestData;

namespace Alerts.Core.Tests.Matching;

public class RegexCacheTests
{
    private const string Expensive = @"(\w+\s*){6}q";

    [Fact]
    public void TenThousandSubscriptionsWithTheSameRegexBuildItOnce()
    {
        var cache = new RegexCache();
        using var index = new MatcherIndex(options: Options with { Regexes = cache });

        // Different queries (each a group of its own in the index), one regex.
        index.AddRange(Enumerable.Range(1, 10_000).Select(i => Sub(i, "s" + i, $"/Kyiv\\d/ word{i}")));

        Assert.Equal(1, cache.Builds);
        Assert.Equal(1, cache.Count);
        Assert.Equal(10_000, index.DistinctQueries);
        Assert.Equal(["s7", "s8"], index.Match(Item("Kyiv1 meldet word7 word8")).Select(m => m.SubscriberId).Order());
    }

    [Fact]
    public void TheLeastRecentlyUsedRegexIsDroppedWhenTheCountIsReached()
    {
        var cache = new RegexCache(maxEntries: 2);
        var a = cache.Get("alpha", QueryParser.RegexFlags, Options.RegexTimeout);
        _ = cache.Get("beta", QueryParser.RegexFlags, Options.RegexTimeout);
        Thread.Sleep(1);
        Assert.True(a.IsMatch("Alpha"));

        _ = cache.Get("gamma", QueryParser.RegexFlags, Options.RegexTimeout);

        Assert.True(cache.Contains("alpha", QueryParser.RegexFlags, Options.RegexTimeout));
        Assert.False(cache.Contains("beta", QueryParser.RegexFlags, Options.RegexTimeout));
        Assert.True(cache.Contains("gamma", QueryParser.RegexFlags, Options.RegexTimeout));
        Assert.Equal((2, 1L), (cache.Count, cache.Evictions));
    }

    [Fact]
    public void PatternsWithOtherOptionsOrTimeoutsAreDifferentEntries()
    {
        var cache = new RegexCache();
        _ = cache.Get("alpha", QueryParser.RegexFlags, TimeSpan.FromMilliseconds(50));
        _ = cache.Get("alpha", QueryParser.RegexFlags, TimeSpan.FromMilliseconds(60));
        _ = cache.Get("alpha", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromMilliseconds(50));
        _ = cache.Get("alpha", QueryParser.RegexFlags, TimeSpan.FromMilliseconds(50));

        Assert.Equal((3, 3L), (cache.Count, cache.Builds));
    }

    [Fact]
    public void TheEstimateCountsTheAutomatonTheEngineBuildsWhileMatching()
    {
        var cache = new RegexCache();
        var regex = cache.Get(Expensive, QueryParser.RegexFlags, Options.RegexTimeout);
        var built = cache.EstimatedBytes;

        Assert.False(regex.IsMatch(Text(1)));
        var matched = cache.EstimatedBytes;
        Assert.False(regex.IsMatch(Text(1)));

        Assert.True(built > 0);
        Assert.True(matched > built, $"{matched} after matching, {built} after building");
        Assert.Equal(matched, cache.EstimatedBytes); // the same text again: no new states
    }

    [Fact]
    public void MemoryStaysWithinItsBoundWhateverTheQueriesAndAQueryWhoseRegexWasDroppedStillMatches()
    {
        const long bound = 4L * 1024 * 1024;
        var cache = new RegexCache(maxBytes: bound);
        using var index = new MatcherIndex(options: Options with { Regexes = cache });
        index.AddRange(Enumerable.Range(1, 12).Select(i => Sub(i, "s" + i, $"/{Expensive}|marker{i}x/")));

        for (var round = 0; round < 2; round++)
        {
            for (var i = 1; i <= 12; i += 5)
            {
                var matches = index.Match(Item("Meldung", Text(round) + $" marker{i}x"));
                Assert.Equal(["s" + i], matches.Select(m => m.SubscriberId));
                Assert.InRange(cache.EstimatedBytes, 1, bound);
            }
        }

        Assert.True(cache.Evictions > 0, "nothing was evicted: the bound did not bite");
        Assert.True(cache.Builds > 12, $"{cache.Builds} builds: dropped regexes were not built again");
    }

    [Fact]
    public void MatchingThreadsShareTheCacheWhileItEvicts()
    {
        var cache = new RegexCache(maxEntries: 3);
        using var index = new MatcherIndex(options: Options with { Regexes = cache });
        index.AddRange(Enumerable.Range(1, 12).Select(i => Sub(i, "s" + i, $"/marker{i}x/")));

        Parallel.For(0, 48, new ParallelOptions { MaxDegreeOfParallelism = 4 }, n =>
        {
            var i = (n % 12) + 1;
            Assert.Equal(["s" + i], index.Match(Item("Meldung", $"eins marker{i}x zwei")).Select(m => m.SubscriberId));
        });

        Assert.InRange(cache.Count, 1, 3);
        Assert.True(cache.Evictions > 0);
    }

    [Fact]
    public void TheParserBuildsARegexInTheCacheAndDoesNotBuildItAgainForTheNextQuery()
    {
        var cache = new RegexCache();
        var options = Options with { Regexes = cache };

        _ = new SingleQueryMatcher(@"/Kyiv\d/ Drohne", options: options);
        _ = new SingleQueryMatcher(@"/Kyiv\d/ OR Odessa", options: options);
        Assert.Throws<QuerySyntaxException>(() => QueryParser.Parse("/a{100000}/", options));

        Assert.Equal(1, cache.Builds);
    }

    /// <summary>Words in a varying order, so that each round meets text the automaton has not seen.</summary>
    private static string Text(int seed)
    {
        var words = "Die Abwehr meldete in der Nacht mehrere Drohnen über der Stadt und im Umland, Trümmer fielen auf Häuser".Split(' ');
        new Random(seed).Shuffle(words);
        return string.Join(' ', words);
    }
}
