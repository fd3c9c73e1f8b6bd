using Alerts.Core.Matching;

namespace Alerts.Core.Tests.Matching;

public class QueryParserTests
{
    [Theory]
    [InlineData("Drohne", "Drohne")]
    [InlineData("  Drohne   Kiew ", "Drohne Kiew")]
    [InlineData("Drohne AND Kiew", "Drohne Kiew")]
    [InlineData("Drohne, Rakete", "Drohne OR Rakete")]
    [InlineData("(Drohne OR Rakete) Kiew", "(Drohne OR Rakete) Kiew")]
    [InlineData("Drohne OR (Rakete Kiew)", "Drohne OR Rakete Kiew")]
    [InlineData("((Drohne))", "Drohne")]
    [InlineData("(a1 b1) c1", "a1 b1 c1")]
    [InlineData("Drohne NOT Kiew", "Drohne -Kiew")]
    [InlineData("Drohne -(Kiew OR Odessa)", "Drohne -(Kiew OR Odessa)")]
    [InlineData("headline:(Drohne OR Rakete)", "headline:Drohne OR headline:Rakete")]
    [InlineData("headline:\"Angriff auf Kiew\"", "headline:\"Angriff auf Kiew\"")]
    [InlineData("Raketen* source:ntv-ukraine", "Raketen* source:ntv-ukraine")]
    [InlineData("/F-?16/ Lieferung", "/F-?16/ Lieferung")]
    [InlineData("10,5 Prozent", "10,5 Prozent")]
    public void PrintsCanonicalQueryText(string query, string canonical)
    {
        var tree = QueryParser.Parse(query);
        Assert.Equal(canonical, tree.ToString());
        Assert.Equal(tree, QueryParser.Parse(tree.ToString()));
    }

    [Fact]
    public void BuildsTheTreeWithPrecedenceOrAndNot()
    {
        var tree = QueryParser.Parse("a1 b1 OR -c1 d1, headline:ee1*");
        var expected = new OrNode(new QueryNode[]
        {
            new AndNode(new QueryNode[] { new WordNode("a1"), new WordNode("b1") }),
            new AndNode(new QueryNode[] { new NotNode(new WordNode("c1")), new WordNode("d1") }),
            new PrefixNode("ee1", HeadlineOnly: true),
        });
        Assert.Equal(expected, tree);
    }

    [Theory]
    [InlineData("", "empty query", 0)]
    [InlineData("   ", "empty query", 0)]
    [InlineData("Angriff auf \"Kiew", "unclosed quote", 12)]
    [InlineData("Angriff \"\"", "empty phrase", 8)]
    [InlineData("Kiew dr*", "'*' needs 3 letters before it", 7)]
    [InlineData("Kiew *", "'*' needs 3 letters before it", 5)]
    [InlineData("Dro*ne", "'*' is only allowed at the end of a word", 3)]
    [InlineData("(Drohne OR Rakete", "unbalanced parenthesis", 0)]
    [InlineData("Drohne OR Rakete)", "unbalanced parenthesis", 16)]
    [InlineData(")", "unbalanced parenthesis", 0)]
    [InlineData("Drohne ()", "empty parentheses", 7)]
    [InlineData("Drohne OR", "dangling OR", 7)]
    [InlineData("OR Drohne", "dangling OR", 0)]
    [InlineData("Drohne OR OR Kiew", "dangling OR", 7)]
    [InlineData("Drohne ,", "dangling ','", 7)]
    [InlineData("(Drohne OR) Kiew", "dangling OR", 8)]
    [InlineData("Drohne AND", "dangling AND", 7)]
    [InlineData("Drohne NOT", "dangling NOT", 7)]
    [InlineData("Drohne -", "'-' must be followed by a term", 7)]
    [InlineData("foo:bar", "unknown field 'foo:' (known: headline:, source:)", 0)]
    [InlineData("Drohne titel:Kiew", "unknown field 'titel:' (known: headline:, source:)", 7)]
    [InlineData("Drohne source:", "'source:' needs a source id", 7)]
    [InlineData("headline:-Kiew", "'headline:' must be followed by a word, phrase, regex or parenthesised group", 0)]
    [InlineData("Drohne /abc", "unclosed regex", 7)]
    [InlineData("Drohne //", "empty regex", 7)]
    [InlineData("/abc/i", "nothing may follow a regex's closing '/' (matching is always case-insensitive)", 5)]
    [InlineData("/a*/", "invalid regex: it matches empty text, so it would match every item", 0)]
    [InlineData("-Kiew", "query would match almost everything: it needs a word that is not negated with NOT or '-' (in every OR branch)", 0)]
    [InlineData("NOT Kiew -Odessa", "query would match almost everything: it needs a word that is not negated with NOT or '-' (in every OR branch)", 0)]
    [InlineData("Drohne OR -Kiew", "query would match almost everything: it needs a word that is not negated with NOT or '-' (in every OR branch)", 10)]
    [InlineData("source:ntv", "query would match almost everything: it needs a word that is not negated with NOT or '-' (in every OR branch)", 0)]
    [InlineData("Drohne !!!", "'!!!' has no letters or digits", 7)]
    [InlineData("Nato-Gip*fel", "'*' is only allowed at the end of a word", 8)]
    [InlineData("Kiew U.S.A*", "a prefix must be a single word", 5)]
    public void RejectsMalformedQueriesWithReasonAndPosition(string query, string reason, int position)
    {
        var e = Assert.Throws<QuerySyntaxException>(() => QueryParser.Parse(query));
        Assert.Equal(reason, e.Reason);
        Assert.Equal(position, e.Position);
        Assert.Equal($"{reason} at {position}", e.Message);
    }

    [Theory]
    [InlineData("/(a)\\1/", 0)]
    [InlineData("Drohne /(?=Kiew)Kiew/", 7)]
    [InlineData("/(?<=a)b/", 0)]
    [InlineData("/(?>a+)b/", 0)]
    public void RejectsRegexFeaturesThatNonBacktrackingCannotRun(string query, int position)
    {
        var e = Assert.Throws<QuerySyntaxException>(() => QueryParser.Parse(query));
        Assert.StartsWith("invalid regex: backreferences, lookarounds", e.Reason, StringComparison.Ordinal);
        Assert.Equal(position, e.Position);
    }

    [Theory]
    [InlineData("/(abc/", "invalid regex: insufficient closing parentheses")]
    [InlineData("/[abc/", "invalid regex: unterminated bracket")]
    [InlineData("/a{2,1}/", "invalid regex: reversed quantifier range")]
    public void RejectsInvalidRegexWithTheEngineReason(string query, string reason)
    {
        var e = Assert.Throws<QuerySyntaxException>(() => QueryParser.Parse(query));
        Assert.Equal(reason, e.Reason);
        Assert.InRange(e.Position, 1, query.Length);
    }

    [Theory]
    [InlineData("/a{100000}/", "a counted repetition of 100000 is over the limit of 100")]
    [InlineData("/(\\w*\\s*){200}q/", "a counted repetition of 200 is over the limit of 100")]
    [InlineData("Drohne /x{5,101}/", "a counted repetition of 101 is over the limit of 100")]
    [InlineData("/((ab){30}){30}/", "its automaton has about 1800 states, over the limit of 1000")]
    [InlineData("/(\\w+\\s*){20}q/", "it has 40 variable repetitions (*, +, ?, {n,m}) once its counts are unrolled, over the limit of 24")]
    [InlineData("/\\w*\\s*\\w*\\s*\\w*\\s*\\w*\\s*\\w*\\s*\\w*\\s*\\w*\\s*\\w*\\s*\\w*\\s*\\w*\\s*\\w*\\s*\\w*\\s*\\w*q/", "it has 25 variable repetitions")]
    [InlineData("/(\\w?\\s?){100}q/", "it has 200 variable repetitions")]
    [InlineData("/([a-z ]{0,100}\\s){9}q/", "it has 900 variable repetitions")]
    public void RefusesARegexThatCannotBeMatchedCheaplyAndSaysWhy(string query, string reason)
    {
        var e = Assert.Throws<QuerySyntaxException>(() => QueryParser.Parse(query));
        Assert.StartsWith("regex too costly: ", e.Reason, StringComparison.Ordinal);
        Assert.Contains(reason, e.Reason, StringComparison.Ordinal);
        Assert.EndsWith("(it cannot be matched cheaply)", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesRegexesThatTogetherAreTooLargeForOneQuery()
    {
        // Each is within the limits on its own; together they are not.
        var large = "/(ab){100}q/";
        QueryParser.Parse(large);
        var e = Assert.Throws<QuerySyntaxException>(() => QueryParser.Parse(string.Join(" OR ", Enumerable.Repeat(large, 5))));
        Assert.StartsWith("regexes too costly: together their automata have about 1005 states, over the limit of 1000", e.Reason, StringComparison.Ordinal);

        var loopy = "/(\\w+\\s+){5}q/";
        QueryParser.Parse(loopy);
        e = Assert.Throws<QuerySyntaxException>(() => QueryParser.Parse(string.Join(" OR ", Enumerable.Repeat(loopy, 3))));
        Assert.StartsWith("regexes too costly: together they have 30 variable repetitions", e.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/./")]
    [InlineData("/ /")]
    [InlineData("/(?s).+/")]
    [InlineData("/\\w/")]
    [InlineData("/.{2}/")]
    [InlineData("/[a-z]+/")]
    [InlineData("/\\s\\S/")]
    public void RefusesARegexThatMatchesAlmostEverythingLikeOtherMatchEverythingQueries(string query)
    {
        var e = Assert.Throws<QuerySyntaxException>(() => QueryParser.Parse(query));
        Assert.StartsWith("regex would match almost everything", e.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/\\bF-?16\\b/")]
    [InlineData("/\\d{3,} Drohnen/")]
    [InlineData("/Sel[ae]nskyj/")]
    [InlineData("/Drohnen(abwehr|angriff)/")]
    [InlineData("/\\d{4}/")]
    [InlineData("/(?i:kyiv|kiew)/")]
    public void AcceptsTheUsualRegexes(string query) => QueryParser.Parse(query);

    [Fact]
    public void EnforcesTheLengthLimit()
    {
        var ok = string.Join(' ', Enumerable.Repeat("abcdefg", 32));
        Assert.Equal(255, ok.Length);
        QueryParser.Parse(ok);

        var e = Assert.Throws<QuerySyntaxException>(() => QueryParser.Parse(ok + "xx"));
        Assert.Equal("query longer than 256 characters at 256", e.Message);

        var shortLimit = new QueryOptions { MaxLength = 10 };
        Assert.Equal("query longer than 10 characters", Assert.Throws<QuerySyntaxException>(() => QueryParser.Parse("Drohne Kiew", shortLimit)).Reason);
    }

    [Fact]
    public void EnforcesTheTermLimit()
    {
        var words = Enumerable.Range(0, 33).Select(i => "w" + i).ToArray();
        QueryParser.Parse(string.Join(' ', words[..32]));

        var query = string.Join(' ', words);
        var e = Assert.Throws<QuerySyntaxException>(() => QueryParser.Parse(query));
        Assert.Equal("more than 32 terms", e.Reason);
        Assert.Equal(query.IndexOf("w32", StringComparison.Ordinal), e.Position);

        Assert.Equal("more than 2 terms", Assert.Throws<QuerySyntaxException>(() => QueryParser.Parse("a1 b1 c1", new QueryOptions { MaxTerms = 2 })).Reason);
    }
}
