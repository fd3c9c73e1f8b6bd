using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;
using static Alerts.Core.Tests.Matching.MatchingTestData;

namespace Alerts.Core.Tests.Matching;

public class MatcherIndexTests
{
    [Fact]
    public void GivesOneResultPerSubscriberWithAllMatchingSubscriptionsAndWords()
    {
        using var index = new MatcherIndex(Aliases, Options);
        index.AddRange([Sub(1, "a", "Drohne"), Sub(2, "a", "Kiew"), Sub(3, "a", "Odessa"), Sub(4, "b", "Drohne")]);

        var matches = index.Match(Item("Drohnen über Kiew", "Die Abwehr von Kyiv war aktiv.")).OrderBy(m => m.SubscriberId).ToList();

        Assert.Equal(2, matches.Count);
        var a = matches[0];
        Assert.Equal("a", a.SubscriberId);
        Assert.Equal([1L, 2L], a.SubscriptionIds);
        Assert.Equal("Drohne", a.Query);
        Assert.Equal(["Drohnen", "Kiew", "Kyiv"], a.Matched);
        Assert.Equal(("b", "Drohne"), (matches[1].SubscriberId, matches[1].Query));
    }

    [Fact]
    public void AQueryThatSpentItsBudgetOnAnItemCountsItsRemainingRegexesAsNoMatch()
    {
        // A budget of one tick: the first regex runs and spends it, the second is not even tried.
        using var spent = new MatcherIndex(options: Options with { ItemBudget = TimeSpan.FromTicks(1) });
        using var ample = new MatcherIndex(options: Options);
        foreach (var index in new[] { spent, ample })
        {
            index.AddRange([Sub(1, "a", "/Kyiv\\d/ OR /Drohne\\d/"), Sub(2, "b", "/Drohne\\d/")]);
        }

        var item = Item("Drohne1 über Kiew");

        Assert.Equal(["a", "b"], ample.Match(item).Select(m => m.SubscriberId).Order());
        Assert.Equal(["b"], spent.Match(item).Select(m => m.SubscriberId));
        Assert.Equal(1, spent.RegexTimeouts.Count);
    }

    [Fact]
    public void RespectsTheSubscriptionsSource()
    {
        using var index = new MatcherIndex(options: Options);
        index.AddRange([Sub(1, "a", "Drohne", "ntv"), Sub(2, "b", "Drohne", "zdf"), Sub(3, "c", "Drohne")]);

        var matches = index.Match(Item("Drohnen über Kiew", source: "NTV"));
        Assert.Equal(["a", "c"], matches.Select(m => m.SubscriberId).Order());
    }

    [Fact]
    public void AddAndRemoveChangeTheResultIncrementally()
    {
        using var index = new MatcherIndex(options: Options);
        var item = Item("Drohnen über Kiew");
        index.Add(Sub(1, "a", "Drohne"));
        index.Add(Sub(2, "b", "Drohne"));
        index.Add(Sub(3, "c", "Raketen* OR Kiew"));
        index.Add(Sub(4, "d", "/K.ew/"));
        Assert.Equal(4, index.Count);
        Assert.Equal(3, index.DistinctQueries);
        Assert.Equal(["a", "b", "c", "d"], index.Match(item).Select(m => m.SubscriberId).Order());

        index.Remove(1);
        index.Remove(3);
        index.Remove(4);
        index.Remove(99);
        Assert.Equal(["b"], index.Match(item).Select(m => m.SubscriberId).Order());

        // Adding an existing id replaces its query.
        index.Add(Sub(2, "b", "Odessa"));
        Assert.Empty(index.Match(item));
        Assert.Equal(1, index.Count);
    }

    [Fact]
    public void RejectsAMalformedQueryWithoutChangingAnything()
    {
        using var index = new MatcherIndex(options: Options);
        Assert.Throws<QuerySyntaxException>(() => index.AddRange([Sub(1, "a", "Drohne"), Sub(2, "a", "\"Kiew")]));
        Assert.Equal(0, index.Count);
    }

    [Fact]
    public void EvaluatesRegexAndSourceOnlyRootedQueriesForEveryItem()
    {
        using var index = new MatcherIndex(options: Options);
        index.AddRange([Sub(1, "a", "/\\d{3,} Drohnen/"), Sub(2, "b", "/Drohnen/ source:zdf"), Sub(3, "c", "Kiew OR /Odes+a/")]);

        Assert.Equal(["a", "c"], index.Match(Item("Russland schickt 120 Drohnen nach Odessa")).Select(m => m.SubscriberId).Order());
        Assert.Equal(["b"], index.Match(Item("Drohnen", source: "zdf")).Select(m => m.SubscriberId).Order());
    }

    [Fact]
    public void ReplacingAliasesRecompilesEveryQuery()
    {
        using var index = new MatcherIndex(options: Options);
        index.AddRange([Sub(1, "a", "Kiew"), Sub(2, "b", "Kiew"), Sub(3, "c", "Odessa")]);
        var item = Item("Explosionen in Kyjiw");
        Assert.Empty(index.Match(item));

        index.ReplaceAliases(Aliases);
        Assert.Equal(["a", "b"], index.Match(item).Select(m => m.SubscriberId).Order());
        Assert.Equal(3, index.Count);
        Assert.Same(Aliases, index.Aliases);
    }

    [Fact]
    public void ARegexThatKeepsRunningOutOfBudgetIsLoggedOnceAMinuteWithACount()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var logger = new CapturingLogger<MatcherIndex>();
        using var index = new MatcherIndex(options: Options with { ItemBudget = TimeSpan.FromTicks(1) }, logger: logger, time: time);
        index.Add(Sub(1, "a", "/Kyiv\\d/ OR /Drohne\\d/"));

        for (var i = 0; i < 10; i++)
        {
            Assert.Empty(index.Match(Item("Drohne1 über Kiew")));
        }

        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(index.Match(Item("Drohne1 über Kiew")));

        Assert.Equal(11, index.RegexTimeouts.Count);
        Assert.Collection(
            logger.Lines,
            first => Assert.Contains("Regex /Drohne\\d/ was not run and counted as no match: its query had spent its 0.0001 ms on the item (0 more times", first, StringComparison.Ordinal),
            next => Assert.Contains("(9 more times since the last line about it)", next, StringComparison.Ordinal));
    }

    [Fact]
    public void CountsARegexTimeoutAsNoMatch()
    {
        // A 1-tick budget cannot finish scanning a long body, so the timeout path runs deterministically.
        using var index = new MatcherIndex(options: new QueryOptions { RegexTimeout = TimeSpan.FromTicks(1) });
        index.Add(Sub(1, "a", "/x(ab|cd)+y/"));
        var timedOut = new List<string>();
        index.RegexTimeouts.TimedOut += (pattern, _) => timedOut.Add(pattern);

        var body = string.Concat(Enumerable.Repeat("abcd", 500_000)) + "xaby";
        Assert.Empty(index.Match(Item("nichts", body)));
        Assert.True(index.RegexTimeouts.Count >= 1);
        Assert.Equal("x(ab|cd)+y", timedOut[0]);
    }

    [Fact]
    public async Task MatchesConcurrentlyWhileSubscriptionsChange()
    {
        using var index = new MatcherIndex(Aliases, Options);
        index.AddRange(Enumerable.Range(1, 200).Select(i => Sub(i, "s" + (i % 20), i % 2 == 0 ? "Drohne" : "Kiew Rakete*")));
        var item = Item("Drohnen über Kiew", "Raketenangriff");
        using var stop = new CancellationTokenSource();

        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            var rounds = 0;
            while (!stop.IsCancellationRequested || rounds < 50)
            {
                var result = index.Match(item);
                Assert.All(result, m => Assert.NotEmpty(m.Matched));
                rounds++;
            }

            return rounds;
        })).ToArray();

        for (var i = 201; i <= 1200; i++)
        {
            index.Add(Sub(i, "s" + (i % 20), "Drohne"));
            index.Remove(i - 200);
            if (i % 250 == 0)
            {
                index.ReplaceAliases(i % 500 == 0 ? Aliases : AliasTable.Empty);
            }
        }

        await stop.CancelAsync();
        await Task.WhenAll(readers);
        Assert.Equal(200, index.Count);
        Assert.Equal(20, index.Match(item).Count);
    }
}
