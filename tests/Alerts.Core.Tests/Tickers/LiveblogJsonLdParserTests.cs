using Alerts.Core.Diffing;
using Alerts.Core.Tickers;
using static Alerts.Core.Tests.Tickers.TickerFixtures;

namespace Alerts.Core.Tests.Tickers;

public sealed class LiveblogJsonLdParserTests
{
    private readonly LiveblogJsonLdParser parser = new();

    [Fact]
    public void ReadsUpdatesFromAGraphBesideABrokenScriptBlock()
    {
        var items = parser.Parse(Read("jsonld/liveblog-graph.html"), Context("https://zeitung.example/wahlabend"));

        Assert.Equal(["Erste Hochrechnung: Knappes Rennen", "Wahllokale schließen", "Guten Tag und willkommen"], items.Select(i => i.Headline));
        Assert.Equal(
            "Laut der ersten Hochrechnung liegen beide Parteien gleichauf.\n\nDie Wahlbeteiligung ist höher als vor fünf Jahren.",
            items[0].Body);
        Assert.Equal("Um 18 Uhr haben alle Wahllokale geschlossen & die Auszählung beginnt.", items[1].Body);
        Assert.All(items, i => Assert.Equal(ItemIdentity.ContentHash(i.Headline, i.Body), i.ContentHash));
    }

    [Fact]
    public void DatesWithOffsetOrZAreKeptAndDatesWithoutOffsetAreLocalTime()
    {
        var items = parser.Parse(Read("jsonld/liveblog-graph.html"), Context("https://zeitung.example/wahlabend"));

        Assert.Equal([Utc(2026, 3, 8, 17, 5), Utc(2026, 3, 8, 17, 0), Utc(2026, 3, 8, 15, 0)], items.Select(i => i.Published));
    }

    [Fact]
    public void KeysAreIdThenUrlThenTimeKey()
    {
        var items = parser.Parse(Read("jsonld/liveblog-graph.html"), Context("https://zeitung.example/wahlabend"));

        Assert.Equal("https://zeitung.example/wahlabend#update-3", items[0].Key);
        Assert.Equal("https://zeitung.example/wahlabend#update-2", items[1].Key);
        Assert.Equal("2026-03-08T15:00Z", items[2].Key);
        Assert.Equal("https://zeitung.example/wahlabend#update-2", items[1].Url);
        Assert.Equal("https://zeitung.example/wahlabend", items[2].Url);
    }

    [Fact]
    public void ReadsABareJsonDocumentWithATypeArrayAndASingleUpdate()
    {
        var items = parser.Parse(Read("jsonld/liveblog-bare.json"), Context());

        var item = Assert.Single(items);
        Assert.Equal("oder-42", item.Key);
        Assert.Equal("Pegel in Frankfurt (Oder) steigt weiter", item.Headline);
        Assert.Equal(Utc(2025, 7, 14, 7, 30), item.Published);
        Assert.Null(item.Url);
    }

    [Fact]
    public void FindsALiveBlogNestedInsideAnotherObject()
    {
        const string json = """
            {"@context":"https://schema.org","@type":"WebPage","mainEntity":{"@type":"https://schema.org/LiveBlogPosting",
             "liveBlogUpdate":[{"@type":"BlogPosting","articleBody":"Ohne Überschrift, aber mit Text.","datePublished":"2026-01-01T12:00:00+01:00"}]}}
            """;

        var item = Assert.Single(parser.Parse(json, Context()));
        Assert.Equal("Ohne Überschrift, aber mit Text.", item.Headline);
        Assert.Equal("2026-01-01T11:00Z", item.Key);
    }

    [Theory]
    [InlineData("<html><head><script type=\"application/ld+json\">{\"@type\":\"NewsArticle\"}</script></head></html>", "no schema.org LiveBlogPosting")]
    [InlineData("<html><head><script type=\"application/ld+json\">{nope</script></head></html>", "invalid JSON-LD")]
    [InlineData("<html><body><p>LiveBlogPosting</p></body></html>", "no <script type=\"application/ld+json\">")]
    [InlineData("{\"@type\":\"LiveBlogPosting\",\"liveBlogUpdate\":[{\"headline\":\"x\",\"datePublished\":\"gestern\"}]}", "unreadable datePublished 'gestern'")]
    [InlineData("", "empty")]
    public void MalformedInputGetsAClearError(string content, string expected)
    {
        var error = Assert.Throws<TickerParseException>(() => parser.Parse(content, Context()));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
