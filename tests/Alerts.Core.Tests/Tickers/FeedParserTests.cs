using Alerts.Core.Tickers;
using static Alerts.Core.Tests.Tickers.TickerFixtures;

namespace Alerts.Core.Tests.Tickers;

public sealed class FeedParserTests
{
    private readonly FeedParser parser = new();

    [Fact]
    public void ReadsRssWithGuidLinkAndNeitherAsKeys()
    {
        var items = parser.Parse(Read("feeds/rss.xml"), Context("https://nachrichten.example/rss"));

        Assert.Equal(["nachrichten-4711", "https://nachrichten.example/radweg", "2026-02-02T23:59Z"], items.Select(i => i.Key));
        Assert.Equal([Utc(2026, 2, 3, 9, 15), Utc(2026, 2, 3, 8, 0), Utc(2026, 2, 2, 23, 59)], items.Select(i => i.Published));
        Assert.Equal("https://nachrichten.example/bruecke", items[0].Url);
        Assert.Equal("https://nachrichten.example/rss", items[2].Url);
    }

    [Fact]
    public void RssPrefersContentEncodedAndTurnsHtmlIntoText()
    {
        var items = parser.Parse(Read("feeds/rss.xml"), Context());

        Assert.Equal("Nach drei Monaten Sperrung rollt der Verkehr wieder.\n\nDie Stadt ist erleichtert.", items[0].Body);
        Assert.Equal("Zwölf Kilometer & zwei Brücken.", items[1].Body);
        Assert.Equal("Eine Meldung ganz ohne Adresse.", items[2].Body);
    }

    [Fact]
    public void ReadsAtomWithHtmlTitlesAndUpdatedOnlyEntries()
    {
        var items = parser.Parse(Read("feeds/atom.xml"), Context("https://blog.example/atom"));

        Assert.Equal(["urn:uuid:5c1e0c5e-0000-4000-8000-000000000002", "tag:blog.example,2026:nur-aktualisiert"], items.Select(i => i.Key));
        Assert.Equal("Sonne satt am Wochenende", items[0].Headline);
        Assert.Equal("Bis zu 15 Grad werden erwartet.\n\nIdeal für einen Ausflug.", items[0].Body);
        Assert.Equal(Utc(2026, 2, 3, 10, 30), items[0].Published);
        Assert.Equal("https://blog.example/sonne", items[0].Url);
        Assert.Equal(Utc(2026, 2, 2, 9, 0), items[1].Published);
        Assert.Equal("Dieser Eintrag hat nur ein updated-Datum.", items[1].Body);
    }

    [Fact]
    public void ReadsJsonFeed11()
    {
        var items = parser.Parse(Read("feeds/feed.json"), Context());

        Assert.Equal(["json-2", "1"], items.Select(i => i.Key));
        Assert.Equal("Zweiter Beitrag", items[0].Headline);
        Assert.Equal("Mit HTML-Inhalt.\n\nUnd zwei Absätzen.", items[0].Body);
        Assert.Equal(Utc(2026, 2, 3, 8, 0), items[0].Published);
        Assert.Equal("https://json.example/zwei", items[0].Url);
        Assert.Equal("Ein Beitrag ohne Titel, nur mit Text.", items[1].Headline);
        Assert.Equal("Ein Beitrag ohne Titel, nur mit Text.\n\nZweiter Absatz.", items[1].Body);
    }

    [Fact]
    public void ToleratesSloppyRssDates()
    {
        const string rss = """
            <rss version="2.0"><channel><title>t</title><link>https://x.example/</link><description>d</description>
            <item><title>Zonenname</title><guid>a</guid><pubDate>Tue, 03 Feb 2026 10:15:00 EST</pubDate></item>
            <item><title>Falscher Wochentag</title><guid>b</guid><pubDate>Fri, 03 Feb 2026 10:15:00 +0100</pubDate></item>
            <item><title>ISO ohne Zone</title><guid>c</guid><pubDate>2026-02-03T10:15:00</pubDate></item>
            </channel></rss>
            """;

        var items = parser.Parse(rss, Context());

        Assert.Equal([Utc(2026, 2, 3, 15, 15), Utc(2026, 2, 3, 9, 15), Utc(2026, 2, 3, 9, 15)], items.Select(i => i.Published));
    }

    [Theory]
    [InlineData("<rss version=\"2.0\"><channel><title>t</title><item><title>x</title></channel>", "malformed feed XML")]
    [InlineData("<?xml version=\"1.0\"?><opml version=\"2.0\"><body/></opml>", "expected <rss> or <feed>")]
    [InlineData("{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":[{\"id\":\"1\",\"title\":\"x\"}]}", "has no date_published")]
    [InlineData("{\"version\":\"https://jsonfeed.org/version/1.1\"", "malformed JSON Feed")]
    [InlineData("{\"version\":\"2\",\"items\":[]}", "not a JSON Feed")]
    [InlineData("<rss version=\"2.0\"><channel><title>t</title><item><title>ohne Datum</title></item></channel></rss>", "has no date")]
    [InlineData("  ", "empty")]
    public void MalformedFeedsGetAClearError(string content, string expected)
    {
        var error = Assert.Throws<TickerParseException>(() => parser.Parse(content, Context()));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
