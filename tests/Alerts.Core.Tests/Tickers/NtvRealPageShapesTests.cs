using Alerts.Core.Tickers;
using static Alerts.Core.Tests.Tickers.TickerFixtures;

namespace Alerts.Core.Tests.Tickers;

/// <summary>
/// The shapes real ntv.de ticker pages have shown (SPEC §1, issue 9), each as saved text and as HTML: every page
/// parses into exactly the entries a reader sees. The sentences are made up for these tests.
/// </summary>
public sealed class NtvRealPageShapesTests
{
    private readonly NtvLivetickerParser parser = new();

    /// <summary>Fetched 30.11.2025 at 14:00 Berlin time, a little after the pages' top entries.</summary>
    private static readonly ParseContext Fetched = Context() with { Fetched = FetchTime.Now(Utc(2025, 11, 30, 13, 0)) };

    public static TheoryData<bool> TextAndHtml => new() { false, true };

    private IReadOnlyList<TickerItem> Parse(string text, bool html, ParseContext? context = null) =>
        parser.Parse(html ? AsHtml(text) : text, context ?? Fetched);

    [Theory]
    [MemberData(nameof(TextAndHtml))]
    public void TheTopEntryRepeatedAfterTheTitleLineIsOneItemWithItsBody(bool html)
    {
        const string page = """
            Politik

            Ukraine-Krieg im Liveticker +++ 13:19 Flugabwehr meldet ruhige Nacht in Kiew +++

            30.11.2025, 00:10 Uhr

            Diese Audioversion wurde künstlich generiert. Mehr Infos

            +++ 13:19 Flugabwehr meldet ruhige Nacht in Kiew +++

            Zum ersten Mal seit Tagen gab es in der Hauptstadt keinen Luftalarm.

            +++ 12:40 Bahnstrecke nach Lwiw wieder frei +++

            Die Reparatur dauerte zwei Tage.
            """;

        var items = Parse(page, html);

        Assert.Equal(["Flugabwehr meldet ruhige Nacht in Kiew", "Bahnstrecke nach Lwiw wieder frei"], items.Select(i => i.Headline));
        Assert.Equal("Zum ersten Mal seit Tagen gab es in der Hauptstadt keinen Luftalarm.", items[0].Body);
        Assert.Equal(Utc(2025, 11, 30, 12, 19), items[0].Published);
    }

    [Theory]
    [InlineData("Ukraine-Krieg im Liveticker+++ 13:19 Kurz vor Mittag +++", false)]
    [InlineData("Ukraine-Krieg im Liveticker +++ 13:19 Kurz vor Mittag +++", false)]
    [InlineData("Ukraine-Krieg im Liveticker: +++ 13:19 Kurz vor Mittag +++", false)]
    [InlineData("Ukraine-Krieg im Liveticker+++ 13:19 Kurz vor Mittag +++", true)]
    [InlineData("Ukraine-Krieg im Liveticker +++ 13:19 Kurz vor Mittag +++", true)]
    [InlineData("Ukraine-Krieg im Liveticker: +++ 13:19 Kurz vor Mittag +++", true)]
    public void TheTopEntryGluedToTheTitleIsReadWithOrWithoutSpaceOrColon(string title, bool html)
    {
        var page = title + "\n\n30.11.2025, 08:00 Uhr\n\nText oben.\n\n+++ 12:00 Darunter +++\n\nText unten.";

        var items = Parse(page, html);

        Assert.Equal(["Kurz vor Mittag", "Darunter"], items.Select(i => i.Headline));
        Assert.Equal(["Text oben.", "Text unten."], items.Select(i => i.Body));
    }

    [Theory]
    [MemberData(nameof(TextAndHtml))]
    public void ADateLineGluedToTheFollowingTextEndsAfterUhr(bool html)
    {
        const string page = """
            Ukraine-Krieg im Liveticker+++ 17:20 Abendlage +++
            30.11.2025, 17:08 UhrWas bisher geschah: Die Gespräche in Genf sind vertagt.
            +++ 16:00 Nachmittag +++
            Text am Nachmittag.
            """;

        var items = Parse(page, html, Context() with { Fetched = FetchTime.Now(Utc(2025, 11, 30, 17, 0)) });

        Assert.Equal("Was bisher geschah: Die Gespräche in Genf sind vertagt.", items[0].Body);
        Assert.Equal(Utc(2025, 11, 30, 16, 20), items[0].Published);
    }

    [Theory]
    [MemberData(nameof(TextAndHtml))]
    public void ImageFileNamesCaptionsPrintedTwiceAndCreditsOnTheirOwnLineAreNotBody(bool html)
    {
        const string page = """
            Liveticker+++ 13:00 Hafen von Odessa getroffen +++

            30.11.2025, 08:00 Uhr

            Ein Lagerhaus brennt seit dem Morgen.

            HafenOdessaBrand.jpg

            Löschboote sind im Einsatz.

            +++ 12:30 Charkiw ohne Strom +++

            Das Netz ist in mehreren Bezirken ausgefallen.

            Feuerwehrleute vor einem Umspannwerk in Charkiw.
            Feuerwehrleute vor einem Umspannwerk in Charkiw. (Foto: IMAGO/Beispiel)

            Der Bürgermeister bittet um Geduld.

            +++ 12:00 Sirenen im Westen +++

            In Lwiw heulten am Mittag die Sirenen.

            Menschen suchen Schutz in einer Metrostation.
            Menschen suchen Schutz in einer Metrostation.
            (Foto: picture alliance/Beispiel)

            Nach einer halben Stunde gab es Entwarnung.

            Ukraine-Lwiw-Metro-Schutzraum
            Menschen warten auf den Bahnsteigen.
            Foto: REUTERS

            Quelle: ntv.de, abc/dpa
            """;

        var items = Parse(page, html);

        Assert.Equal(
            [
                "Ein Lagerhaus brennt seit dem Morgen.\n\nLöschboote sind im Einsatz.",
                "Das Netz ist in mehreren Bezirken ausgefallen.\n\nDer Bürgermeister bittet um Geduld.",
                "In Lwiw heulten am Mittag die Sirenen.\n\nNach einer halben Stunde gab es Entwarnung.",
            ],
            items.Select(i => i.Body));
    }

    [Theory]
    [MemberData(nameof(TextAndHtml))]
    public void TheAudioNoteTheSourceFooterAndEverythingBelowTheEarlierDevelopmentsFooterAreNotBody(bool html)
    {
        const string page = """
            Liveticker+++ 13:00 Letzter Eintrag des Tages +++

            30.11.2025, 08:00 Uhr

            Diese Audioversion wurde künstlich generiert. Mehr Infos

            Wir beenden den Ticker für heute.

            Quelle: ntv.de, xyz/rts

            Alle früheren Entwicklungen können Sie hier nachverfolgen.

            +++ 09:00 Ein Teaser darunter +++

            Teasertext.
            """;

        var item = Assert.Single(Parse(page, html));

        Assert.Equal("Wir beenden den Ticker für heute.", item.Body);
    }

    [Theory]
    [MemberData(nameof(TextAndHtml))]
    public void EntriesSeparatedBySingleLineBreaksKeepTheirOwnBodies(bool html)
    {
        var page = "Liveticker+++ 10:00 Erster +++\n30.11.2025, 08:00 Uhr\nText eins.\n+++ 09:30 Zweiter +++\nText zwei.\n"
            + "+++ 09:00 Dritter +++\nText drei, erste Zeile.\nText drei, zweite Zeile.";
        if (html)
        {
            page = page.Replace("\n", "\n\n", StringComparison.Ordinal); // AsHtml joins single lines with <br>; make them paragraphs.
        }

        var items = Parse(page, html);

        Assert.Equal(["Erster", "Zweiter", "Dritter"], items.Select(i => i.Headline));
        Assert.Equal("Text zwei.", items[1].Body);
        Assert.Equal(html ? "Text drei, erste Zeile.\n\nText drei, zweite Zeile." : "Text drei, erste Zeile.\nText drei, zweite Zeile.", items[2].Body);
    }

    [Theory]
    [MemberData(nameof(TextAndHtml))]
    public void HeadlinesStartingWithANumberOrHoldingColonsAndQuotesAreReadWhole(bool html)
    {
        const string page = """
            Liveticker+++ 10:00 150.000 Menschen ohne Heizung +++

            30.11.2025, 08:00 Uhr

            Text eins.

            +++ 09:45 Selenskyj: "Wir brauchen mehr Flugabwehr" +++

            Text zwei.

            +++ 09:30 2:1 nach Verlängerung: Kiew feiert Pokalsieg +++

            Text drei.

            +++ 9:05 Uhr 12 Drohnen abgefangen +++

            Text vier.
            """;

        var items = Parse(page, html);

        Assert.Equal(
            ["150.000 Menschen ohne Heizung", "Selenskyj: \"Wir brauchen mehr Flugabwehr\"", "2:1 nach Verlängerung: Kiew feiert Pokalsieg", "12 Drohnen abgefangen"],
            items.Select(i => i.Headline));
        Assert.Equal(Utc(2025, 11, 30, 8, 5), items[3].Published);
    }

    [Fact]
    public void AnEntryRepeatedFiveHundredTimesIsOneItem()
    {
        var entry = "+++ 10:00 Dieselbe Meldung +++\n\nDerselbe Text.\n\n";
        var page = "Liveticker+++ 10:00 Dieselbe Meldung +++\n\n30.11.2025, 08:00 Uhr\n\nDerselbe Text.\n\n"
            + string.Concat(Enumerable.Repeat(entry, 500)) + "+++ 09:00 Eine andere +++\n\nAnders.";

        var items = parser.Parse(page, Fetched);

        Assert.Equal(["Dieselbe Meldung", "Eine andere"], items.Select(i => i.Headline));
        Assert.Equal("Derselbe Text.", items[0].Body);
    }

    [Fact]
    public void ThePageOfThe2025TemplateReadsTheArticleOnly()
    {
        var items = parser.Parse(Read("ntv/template-2025.html"), Context());

        Assert.Equal(
            [
                "Pegel in Passau sinkt langsam",
                "Bundeswehr schickt weitere Helfer",
                "\"Das Schlimmste liegt hinter uns\": Landrat zieht Bilanz",
                "3000 Haushalte ohne Strom",
                "Warnung vor Treibgut",
            ],
            items.Select(i => i.Headline));
        Assert.Equal(
            "Der Wasserstand der Donau fällt seit dem Vormittag um etwa zwei Zentimeter pro Stunde. Die Stadt hält die Sperrungen in der Altstadt vorerst aufrecht.",
            items[0].Body);
        Assert.Equal("Rund 300 Soldatinnen und Soldaten sollen ab dem Abend die Deiche in Niederbayern sichern.", items[1].Body);
        Assert.Equal("Die Wasserschutzpolizei warnt Bootsführer vor treibenden Baumstämmen.", items[4].Body);

        // No fetch time: the meta last-modified (13:21 CEST) bounds the top entry, the date line (14.06. 00:05) is the creation.
        Assert.Equal(
            [Utc(2026, 6, 14, 11, 19), Utc(2026, 6, 14, 10, 47), Utc(2026, 6, 14, 9, 2), Utc(2026, 6, 13, 22, 41), Utc(2026, 6, 13, 21, 55)],
            items.Select(i => i.Published));
        Assert.All(items, i => Assert.StartsWith("https://www.n-tv.de/panorama/Hochwasser-im-Liveticker-Pegel-in-Passau-sinkt-langsam-id30012345.html", i.Url, StringComparison.Ordinal));
        Assert.Equal("30012345", NtvLivetickerParser.ExtractArticleId(NtvLivetickerParser.FindCanonicalUrl(Read("ntv/template-2025.html"))));
    }

    [Fact]
    public void TextInScriptsStylesTemplatesAndNoscriptIsNeverRead()
    {
        const string html = """
            <html><head><style>.a::before{content:"+++ 11:11 Stil +++"}</style></head><body><article>
            <h1>Liveticker +++ 10:00 Sichtbar +++</h1><p>30.11.2025, 08:00 Uhr</p><p>Text.</p>
            <script>document.write("+++ 09:59 Skript +++")</script>
            <template><p>+++ 09:58 Vorlage +++</p></template>
            <noscript><p>+++ 09:57 Ohne Skript +++</p></noscript>
            <p>Noch Text.</p>
            <script id="__NEXT_DATA__" type="application/json">{"text":"+++ 09:56 Daten +++"}</script>
            </article></body></html>
            """;

        var item = Assert.Single(parser.Parse(html, Fetched));

        Assert.Equal("Sichtbar", item.Headline);
        Assert.Equal("Text.\n\nNoch Text.", item.Body);
    }

    [Fact]
    public void ACaptionSplitByCommentNodesIsStillACaption()
    {
        const string html = """
            <html><body><h1>Liveticker +++ 10:00 Bild im Eintrag +++</h1><p>30.11.2025, 08:00 Uhr</p>
            <p>Vor dem Bild.</p>
            <figure><img src="a.jpg"><figcaption><span>Ein Kran am Hafen</span><!-- --> <!-- -->(<!-- -->Foto: <!-- -->dpa<!-- -->)</figcaption></figure>
            <p>Nach dem Bild.</p></body></html>
            """;

        Assert.Equal("Vor dem Bild.\n\nNach dem Bild.", Assert.Single(parser.Parse(html, Fetched)).Body);
    }

    [Fact]
    public void AHeadingInATeaserBoxOutsideTheArticleIsNoEntryButATitleAboveItIs()
    {
        const string html = """
            <html><body>
            <div class="teaser_box__A1"><a>Wahl im Liveticker +++ 12:58 Hochrechnung +++</a></div>
            <h1 class="title_t__B2">Hochwasser im Liveticker +++ 13:00 Pegel sinkt +++</h1>
            <article class="detail_article__C3"><p>30.11.2025, 08:00 Uhr</p><p>Text oben.</p>
            <h2>+++ 12:00 Helfer kommen +++</h2><p>Text unten.</p></article>
            <section><div>+++ 11:00 Weiterer Teaser +++</div><p>Teasertext.</p></section>
            </body></html>
            """;

        var items = parser.Parse(html, Fetched);

        Assert.Equal(["Pegel sinkt", "Helfer kommen"], items.Select(i => i.Headline));
        Assert.Equal(["Text oben.", "Text unten."], items.Select(i => i.Body));
    }
}
