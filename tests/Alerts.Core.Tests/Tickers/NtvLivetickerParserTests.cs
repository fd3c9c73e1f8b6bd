using Alerts.Core.Diffing;
using Alerts.Core.Tickers;
using static Alerts.Core.Tests.Tickers.TickerFixtures;

namespace Alerts.Core.Tests.Tickers;

public sealed class NtvLivetickerParserTests
{
    private readonly NtvLivetickerParser parser = new();

    public static TheoryData<string> StormFixtures => new() { "ntv/storm-ticker.txt", "ntv/storm-ticker.html" };

    [Theory]
    [MemberData(nameof(StormFixtures))]
    public void ReadsEveryEntryIncludingTheOneGluedToTheTitle(string fixture)
    {
        var items = parser.Parse(Read(fixture), Context());

        Assert.Equal(
            [
                "Sturmtief \"Gisela\" erreicht die Nordseeküste",
                "Bahn stellt Fernverkehr im Norden ein",
                "Schulen in Bremerhaven bleiben geschlossen",
                "\"Wir sind auf alles vorbereitet",
                "Erste Sturmschäden in Ostfriesland",
                "Sturmflutwarnung für die Elbe",
                "Wetterdienst ruft höchste Warnstufe aus",
            ],
            items.Select(i => i.Headline));
        Assert.All(items, i => Assert.Equal("test", i.SourceId));
    }

    [Theory]
    [MemberData(nameof(StormFixtures))]
    public void GluedFirstEntryTakesItsBodyFromBelowTheDateLineWithoutTheAudioNote(string fixture)
    {
        var first = parser.Parse(Read(fixture), Context())[0];

        Assert.Equal(
            "Mit Windböen von bis zu 120 Kilometern pro Stunde trifft das Sturmtief auf die Inseln. Die Fähren nach Helgoland bleiben im Hafen."
            + "\n\nDer Deutsche Wetterdienst rechnet bis zum Abend mit weiteren Böen.",
            first.Body);
        Assert.Equal(Utc(2026, 2, 3, 8, 12), first.Published);
    }

    [Theory]
    [MemberData(nameof(StormFixtures))]
    public void TimesRunningBackwardsPastMidnightBelongToThePreviousDay(string fixture)
    {
        var items = parser.Parse(Read(fixture), Context());

        Assert.Equal(
            [
                Utc(2026, 2, 3, 8, 12), Utc(2026, 2, 3, 7, 40), Utc(2026, 2, 3, 7, 40), Utc(2026, 2, 3, 6, 55),
                Utc(2026, 2, 3, 0, 20), Utc(2026, 2, 2, 22, 50), Utc(2026, 2, 2, 21, 15),
            ],
            items.Select(i => i.Published));
        Assert.All(items, i => Assert.Equal(TimeSpan.Zero, i.Published.Offset));
    }

    [Theory]
    [MemberData(nameof(StormFixtures))]
    public void PhotoBlocksCaptionsAndTheFooterAreNotBody(string fixture)
    {
        var items = parser.Parse(Read(fixture), Context());

        Assert.Equal("Die Stadt schickt rund 9000 Schüler nach Hause.", items[2].Body);
        Assert.Equal(
            "Das Bundesamt für Seeschifffahrt erwartet am Morgen Wasserstände von anderthalb Metern über dem mittleren Hochwasser.",
            items[5].Body);
        Assert.Equal("Für alle Küstenkreise gilt ab Mitternacht die Warnstufe vier.", items[6].Body);
        Assert.All(items, i =>
        {
            Assert.DoesNotContain("Foto", i.Body, StringComparison.Ordinal);
            Assert.DoesNotContain("dpa-Bildfunk", i.Body, StringComparison.Ordinal);
            Assert.DoesNotContain("Audioversion", i.Body, StringComparison.Ordinal);
            Assert.DoesNotContain("früheren Entwicklungen", i.Body, StringComparison.Ordinal);
            Assert.DoesNotContain("Teaser", i.Headline, StringComparison.Ordinal);
        });
    }

    [Theory]
    [MemberData(nameof(StormFixtures))]
    public void ToleratesAMissingClosingMarkerAndAnUnbalancedQuote(string fixture)
    {
        var items = parser.Parse(Read(fixture), Context());

        Assert.Equal("\"Wir sind auf alles vorbereitet", items[3].Headline);
        Assert.Equal(
            "Der Krisenstab des Landkreises tagt seit dem frühen Morgen, sagt die Landrätin.\nSie bittet alle Anwohner, zu Hause zu bleiben.",
            items[3].Body);
        Assert.Equal("Erste Sturmschäden in Ostfriesland", items[4].Headline);
        Assert.Equal("Ein Bauernhof in Aurich hat Teile seines Daches verloren. Verletzt wurde niemand.", items[4].Body);
    }

    [Theory]
    [MemberData(nameof(StormFixtures))]
    public void KeysAreTheLocalTimeOfDayAndTheHeadlineFingerprint(string fixture)
    {
        var items = parser.Parse(Read(fixture), Context());

        Assert.Equal(ItemIdentity.EntryKey(new TimeOnly(9, 12), "Sturmtief \"Gisela\" erreicht die Nordseeküste"), items[0].Key);
        Assert.StartsWith("09:12~", items[0].Key, StringComparison.Ordinal);
        Assert.StartsWith("08:40~", items[1].Key, StringComparison.Ordinal);
        Assert.StartsWith("08:40~", items[2].Key, StringComparison.Ordinal);
        Assert.NotEqual(items[1].Key, items[2].Key);
        Assert.StartsWith("22:15~", items[6].Key, StringComparison.Ordinal);
        Assert.All(items, i => Assert.Equal(ItemIdentity.ContentHash(i.Headline, i.Body), i.ContentHash));
    }

    [Fact]
    public void HtmlAndTextOfTheSamePageGiveTheSameItems()
    {
        var fromText = parser.Parse(Read("ntv/storm-ticker.txt"), Context());
        var fromHtml = parser.Parse(Read("ntv/storm-ticker.html"), Context());

        Assert.Equal(fromText.Select(i => i with { Url = null }), fromHtml.Select(i => i with { Url = null }));
    }

    [Theory]
    [InlineData("ntv/storm-ticker.txt")]
    [InlineData("ntv/dst-autumn.txt")]
    [InlineData("ntv/dst-spring.txt")]
    public void TheSamePageWrappedInHtmlParagraphsGivesTheSameItems(string fixture)
    {
        var text = Read(fixture);

        Assert.Equal(parser.Parse(text, Context()), parser.Parse(AsHtml(text), Context()));
    }

    [Fact]
    public void HtmlEntryLinksUseThePageUrlAndTheEntryAnchor()
    {
        var items = parser.Parse(Read("ntv/storm-ticker.html"), Context());
        const string page = "https://www.n-tv.de/panorama/Sturmtief-Gisela-erreicht-die-Kueste-article12345678.html";

        Assert.Equal(page, items[0].Url);
        Assert.Equal(page + "#ticker-entry-2", items[1].Url);
        Assert.Equal(page + "#ticker-entry-7", items[6].Url);
    }

    [Fact]
    public void TheConfiguredUrlWinsOverTheCanonicalLinkAndLosesItsFragment()
    {
        var items = parser.Parse(Read("ntv/storm-ticker.html"), Context("https://www.n-tv.de/neuer-slug-article12345678.html#oben"));

        Assert.Equal("https://www.n-tv.de/neuer-slug-article12345678.html", items[0].Url);
        Assert.Equal("https://www.n-tv.de/neuer-slug-article12345678.html#ticker-entry-3", items[2].Url);
    }

    [Fact]
    public void TextEntriesLinkToThePageWhenItIsKnown()
    {
        var items = parser.Parse(Read("ntv/storm-ticker.txt"), Context("https://www.n-tv.de/x-article1.html"));

        Assert.All(items, i => Assert.Equal("https://www.n-tv.de/x-article1.html", i.Url));
        Assert.All(parser.Parse(Read("ntv/storm-ticker.txt"), Context()), i => Assert.Null(i.Url));
    }

    [Fact]
    public void ANewEntryAboveInTheSameMinuteKeepsTheExistingKeys()
    {
        const string before = """
            Ticker+++ 10:05 Erster Eintrag +++

            04.05.2026, 08:00 Uhr

            Text eins.

            +++ 09:30 Älterer Eintrag +++

            Text zwei.
            """;
        const string after = """
            Ticker+++ 10:05 Neuer Eintrag +++

            04.05.2026, 08:00 Uhr

            Text neu.

            +++ 10:05 Erster Eintrag +++

            Text eins.

            +++ 09:30 Älterer Eintrag +++

            Text zwei.
            """;

        var oldItems = parser.Parse(before, Context());
        var newItems = parser.Parse(after, Context());

        Assert.Equal(3, newItems.Count);
        Assert.Equal(oldItems.Select(i => (i.Key, i.Headline)), newItems.Skip(1).Select(i => (i.Key, i.Headline)));
        Assert.Equal(ItemIdentity.EntryKey(new TimeOnly(10, 5), "Neuer Eintrag"), newItems[0].Key);
        Assert.Equal("Text neu.", newItems[0].Body);
    }

    [Fact]
    public void AutumnDaylightSavingSwitchOrdersTheRepeatedHourByThePage()
    {
        var items = parser.Parse(Read("ntv/dst-autumn.txt"), Context());

        Assert.Equal(
            [
                Utc(2025, 10, 26, 2, 15), // 03:15 CET
                Utc(2025, 10, 26, 1, 40), // 02:40 second pass, CET
                Utc(2025, 10, 26, 1, 10), // 02:10 CET
                Utc(2025, 10, 26, 0, 50), // 02:50 first pass, CEST: later clock, same day
                Utc(2025, 10, 26, 0, 20), // 02:20 CEST
                Utc(2025, 10, 25, 23, 30), // 01:30 CEST
                Utc(2025, 10, 25, 21, 45), // 23:45 on the 25th, CEST
            ],
            items.Select(i => i.Published));
        Assert.Equal(items.Count, items.Select(i => i.Key).Distinct().Count());
    }

    [Fact]
    public void SpringDaylightSavingSwitchConvertsEachSideWithItsOwnOffset()
    {
        var items = parser.Parse(Read("ntv/dst-spring.txt"), Context());

        Assert.Equal(
            [Utc(2025, 3, 30, 1, 20), Utc(2025, 3, 30, 0, 55), Utc(2025, 3, 29, 23, 30), Utc(2025, 3, 29, 22, 40)],
            items.Select(i => i.Published));
    }

    [Fact]
    public void ATimeInsideTheSpringGapIsReadWithTheOffsetBeforeTheGap()
    {
        const string page = """
            Ticker+++ 03:20 Nach der Umstellung +++
            30.03.2025, 01:00 Uhr
            Eins.
            +++ 02:30 Diese Uhrzeit gibt es nicht +++
            Zwei.
            +++ 01:55 Vor der Umstellung +++
            Drei.
            """;

        var items = parser.Parse(page, Context());

        Assert.Equal([Utc(2025, 3, 30, 1, 20), Utc(2025, 3, 30, 1, 30), Utc(2025, 3, 30, 0, 55)], items.Select(i => i.Published));
    }

    [Fact]
    public void AnAmbiguousTopEntryIsTheLatestPassBeforeTheFetchTimeOrTheFirstAfterTheCreation()
    {
        const string page = """
            Ticker+++ 02:30 Oben in der doppelten Stunde +++
            26.10.2025, 00:10 Uhr
            Eins.
            """;

        // Fetched after both passes: the later, standard-time one.
        Assert.Equal(Utc(2025, 10, 26, 1, 30), parser.Parse(page, Context() with { Fetched = FetchTime.Now(Utc(2025, 10, 26, 3, 0)) })[0].Published);

        // Fetched between them: the summer-time pass.
        Assert.Equal(Utc(2025, 10, 26, 0, 30), parser.Parse(page, Context() with { Fetched = FetchTime.Now(Utc(2025, 10, 26, 0, 45)) })[0].Published);

        // No fetch time: the first pass after the creation.
        Assert.Equal(Utc(2025, 10, 26, 0, 30), parser.Parse(page, Context())[0].Published);
    }

    [Fact]
    public void UsesTheContextTimeZone()
    {
        var context = new ParseContext("x", null, TimeZoneInfo.FindSystemTimeZoneById("America/New_York"));
        var first = parser.Parse(Read("ntv/storm-ticker.txt"), context)[0];

        Assert.Equal(Utc(2026, 2, 3, 14, 12), first.Published);
    }

    public static TheoryData<string, string> MarkupVariants => new()
    {
        {
            "headings in p/strong, body inline after the heading",
            """
            <html><body><div><h1>Test im Liveticker <strong>+++ 12:30 Kran stürzt auf Baustelle +++</strong></h1>
            <p>Montag, 06.04.2026, 08:00 Uhr</p><p>Ein Kran ist umgekippt.</p><p>Niemand wurde verletzt.</p>
            <p><strong>+++ 11:45 Stau auf der A7 +++</strong> Nach einem Unfall staut sich der Verkehr.</p><p>Die Polizei leitet um.</p>
            <p><b>+++ 09:05 Guten Morgen +++</b></p><p>Wir berichten den ganzen Tag.</p></div></body></html>
            """
        },
        {
            "deep wrappers with changing attributes and br inside paragraphs",
            """
            <!doctype html><html><head><title>x</title></head><body><div id="app"><div class="a1"><section data-v-3f2="">
            <div class="x-title"><span>Test im Liveticker</span><span class="y">+++ 12:30 Kran stürzt auf Baustelle +++</span></div>
            <div class="x-meta"><time datetime="2026-04-06T08:00">06.04.2026, 08:00 Uhr</time></div>
            <div class="x-body"><div><div><p>Ein Kran ist umgekippt.</p></div></div><div><p>Niemand wurde verletzt.</p></div></div>
            <div class="entry" data-entry-id="2"><div class="head"><h4 class="z9">+++ 11:45 Stau auf der A7 +++</h4></div>
            <div class="text"><p>Nach einem Unfall staut sich der Verkehr.<br></p><p>Die Polizei leitet um.</p></div></div>
            <div class="entry"><h4>+++ 09:05 Guten Morgen +++</h4><div><span>Wir berichten</span> <em>den ganzen</em> Tag.</div></div>
            </section></div></div></body></html>
            """
        },
        {
            "heading split over inline elements, entries as list items, empty anchors",
            """
            <html><body><h1>Test im Liveticker<span>+++</span> <span>12:30</span> <span>Kran stürzt auf Baustelle</span> <span>+++</span></h1>
            <div>06.04.2026, 08:00 Uhr</div><ul class="ticker">
            <li><p>Ein Kran ist umgekippt.</p><p>Niemand wurde verletzt.</p></li>
            <li><a name="e2"></a><h3><span class="time">+++ 11:45</span> Stau auf der A7 <span>+++</span></h3><p>Nach einem Unfall staut sich der Verkehr.</p><p>Die Polizei leitet um.</p></li>
            <li><a id="e3"></a><h3>+++ 09:05 Guten Morgen +++</h3><p>Wir berichten den ganzen Tag.</p></li></ul></body></html>
            """
        },
        {
            "paragraphs separated only by br br and no closing tags",
            """
            <body><div>Test im Liveticker+++ 12:30 Kran stürzt auf Baustelle +++<br>06.04.2026, 08:00 Uhr<br><br>Ein Kran ist umgekippt.<br><br>Niemand wurde verletzt.
            <p>+++ 11:45 Stau auf der A7 +++<p>Nach einem Unfall staut sich der Verkehr.<p>Die Polizei leitet um.
            <p>+++ 09:05 Guten Morgen +++<p>Wir berichten den ganzen Tag.</div>
            """
        },
    };

    [Theory]
    [MemberData(nameof(MarkupVariants))]
    public void UnknownMarkupVariantsGiveTheSameEntries(string variant, string html)
    {
        _ = variant;
        var items = parser.Parse(html, Context());

        Assert.Equal(["Kran stürzt auf Baustelle", "Stau auf der A7", "Guten Morgen"], items.Select(i => i.Headline));
        Assert.Equal(["Ein Kran ist umgekippt.\n\nNiemand wurde verletzt.", "Nach einem Unfall staut sich der Verkehr.\n\nDie Polizei leitet um.", "Wir berichten den ganzen Tag."], items.Select(i => i.Body));
        Assert.Equal([Utc(2026, 4, 6, 10, 30), Utc(2026, 4, 6, 9, 45), Utc(2026, 4, 6, 7, 5)], items.Select(i => i.Published));
    }

    [Fact]
    public void EmptyAnchorsBeforeHeadingsBecomeFragmentsButSharedWrappersDoNot()
    {
        var html = MarkupVariants.Select(row => (string)row[1]).ElementAt(2);
        var items = parser.Parse(html, Context("https://www.n-tv.de/a-article5.html"));

        Assert.Equal(["https://www.n-tv.de/a-article5.html", "https://www.n-tv.de/a-article5.html#e2", "https://www.n-tv.de/a-article5.html#e3"], items.Select(i => i.Url));

        var wrapped = "<html><body><div id=\"ticker\"><p>X+++ 10:00 Eins +++</p><p>01.01.2026, 09:00 Uhr</p><p>a</p><p>+++ 09:00 Zwei +++</p><p>b</p></div></body></html>";
        Assert.All(parser.Parse(wrapped, Context("https://www.n-tv.de/a-article5.html")), i => Assert.Equal("https://www.n-tv.de/a-article5.html", i.Url));
    }

    [Fact]
    public void WithoutAVisibleDateLineHtmlFallsBackToThePublishedTimeMeta()
    {
        const string html = """
            <html><head><meta property="article:published_time" content="2026-01-10T07:00:00+01:00"></head>
            <body><h1>T<span>+++ 09:00 Eins +++</span></h1><p>a</p><h2>+++ 23:10 Zwei +++</h2><p>b</p></body></html>
            """;

        var items = parser.Parse(html, Context());

        Assert.Equal([Utc(2026, 1, 10, 8, 0), Utc(2026, 1, 9, 22, 10)], items.Select(i => i.Published));
    }

    [Fact]
    public void AnImageNameLineWithoutACaptionStaysBodyText()
    {
        const string page = """
            T+++ 10:00 Eins +++
            01.01.2026, 09:00 Uhr

            Nord-Ostsee-Kanal-gesperrt

            Ein normaler Absatz.
            """;

        Assert.Equal("Nord-Ostsee-Kanal-gesperrt\n\nEin normaler Absatz.", parser.Parse(page, Context())[0].Body);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   \n\n  ", "empty")]
    [InlineData("Nur ein ganz normaler Text ohne Ticker.\n\nZweiter Absatz.", "no '+++ HH:MM … +++' entry headings found")]
    [InlineData("<html><body><p>Hallo</p><p>+++ dpa-Bildfunk +++</p></body></html>", "no '+++ HH:MM … +++' entry headings found")]
    [InlineData("Ticker+++ 10:00 Eins +++\n\nText ohne Datumszeile.", "date line")]
    [InlineData("+++ 25:61 Keine Uhrzeit +++\n01.01.2026, 10:00 Uhr", "no '+++ HH:MM … +++' entry headings found")]
    [InlineData("\u0000\u0001\u0002garbage\uFFFD<<<>>>", "no '+++ HH:MM … +++' entry headings found")]
    public void MalformedInputGetsAClearError(string content, string expected)
    {
        var error = Assert.Throws<TickerParseException>(() => parser.Parse(content, Context()));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://www.n-tv.de/politik/Irgendein-Slug-article23143824.html", "23143824")]
    [InlineData("https://www.n-tv.de/politik/Anderer-Slug-heute-article23143824.html?utm=x#oben", "23143824")]
    [InlineData("/politik/x-ARTICLE42.HTML", "42")]
    [InlineData("https://www.n-tv.de/politik/", null)]
    [InlineData(null, null)]
    public void ExtractsTheArticleIdFromAnyUrlSlug(string? url, string? expected) =>
        Assert.Equal(expected, NtvLivetickerParser.ExtractArticleId(url));

    [Fact]
    public void FindsTheCanonicalUrlOfASavedPage() =>
        Assert.Equal(
            "https://www.n-tv.de/panorama/Sturmtief-Gisela-erreicht-die-Kueste-article12345678.html",
            NtvLivetickerParser.FindCanonicalUrl(Read("ntv/storm-ticker.html")));

    [Fact]
    public void SniffsTickerHeadingsOnly()
    {
        Assert.True(parser.CanParse(Read("ntv/storm-ticker.txt")));
        Assert.True(parser.CanParse(Read("ntv/storm-ticker.html")));
        Assert.False(parser.CanParse("Bild +++ dpa-Bildfunk +++ (Foto: x)"));
        Assert.False(parser.CanParse("+++ 1.000 Soldaten +++"));
    }
}
