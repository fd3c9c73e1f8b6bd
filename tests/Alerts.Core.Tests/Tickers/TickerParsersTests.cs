using Alerts.Core.Tickers;
using static Alerts.Core.Tests.Tickers.TickerFixtures;

namespace Alerts.Core.Tests.Tickers;

public sealed class TickerParsersTests
{
    [Theory]
    [InlineData("jsonld/liveblog-graph.html", SourceKinds.LiveblogJsonLd)]
    [InlineData("jsonld/liveblog-bare.json", SourceKinds.LiveblogJsonLd)]
    [InlineData("feeds/rss.xml", SourceKinds.Feed)]
    [InlineData("feeds/atom.xml", SourceKinds.Feed)]
    [InlineData("feeds/feed.json", SourceKinds.Feed)]
    [InlineData("ntv/storm-ticker.txt", SourceKinds.NtvLiveticker)]
    [InlineData("ntv/storm-ticker.html", SourceKinds.NtvLiveticker)]
    public void DetectsTheKindOfEachFixture(string fixture, string kind)
    {
        var content = Read(fixture);

        Assert.Equal(kind, TickerParsers.Detect(content).Kind);
        Assert.NotEmpty(TickerParsers.Parse(content, Context()));
    }

    [Fact]
    public void JsonLdWinsOverTickerTextOnTheSamePage()
    {
        var page = Read("jsonld/liveblog-graph.html");

        Assert.True(TickerParsers.Get(SourceKinds.NtvLiveticker).CanParse(page));
        Assert.Equal(SourceKinds.LiveblogJsonLd, TickerParsers.Detect(page).Kind);
    }

    [Fact]
    public void ATickerPageDeclaringALiveBlogWithoutUpdatesIsReadAsTickerText()
    {
        var page = Read("ntv/storm-ticker.html").Replace(
            "</head>",
            "<script type=\"application/ld+json\">{\"@type\":\"LiveBlogPosting\",\"headline\":\"Wetter\"}</script></head>",
            StringComparison.Ordinal);

        Assert.Equal(SourceKinds.NtvLiveticker, TickerParsers.Detect(page).Kind);
        Assert.Equal(7, TickerParsers.Parse(page, Context()).Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Einfach nur Text.")]
    [InlineData("<html><body><p>Nichts zu sehen</p></body></html>")]
    [InlineData("{\"a\": 1}")]
    public void UndetectableContentGetsAClearError(string content)
    {
        var error = Assert.Throws<TickerParseException>(() => TickerParsers.Detect(content));

        Assert.StartsWith("cannot detect the source kind", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetsParsersByKindAndRejectsUnknownKinds()
    {
        Assert.All(SourceKinds.All, kind => Assert.Equal(kind, TickerParsers.Get(kind).Kind));

        var error = Assert.Throws<ArgumentException>(() => TickerParsers.Get("rss"));
        Assert.Contains("unknown source kind 'rss'", error.Message, StringComparison.Ordinal);
        Assert.Contains("ntv-liveticker, liveblog-jsonld, feed", error.Message, StringComparison.Ordinal);
    }
}
