using System.Globalization;
using System.Text;
using Alerts.Core.Diffing;
using Alerts.Core.Tickers;
using CsCheck;
using static Alerts.Core.Tests.Tickers.TickerFixtures;

namespace Alerts.Core.Tests.Tickers;

/// <summary>Days from the page's own dates and the fetch time (SPEC §1, issue 9).</summary>
public sealed class NtvDaysTests
{
    private readonly NtvLivetickerParser parser = new();

    private static ParseContext FetchedAt(DateTimeOffset utc, bool fromFile = false) =>
        Context() with { Fetched = fromFile ? FetchTime.FileModified(utc) : FetchTime.Now(utc) };

    private const string StaleAfterMidnight = """
        Ukraine-Krieg im Liveticker+++ 00:03 Neue Angriffe auf Odessa +++

        30.11.2025, 00:10 Uhr

        Text nach Mitternacht.

        +++ 23:50 Späte Meldung +++

        Text vor Mitternacht.

        +++ 23:20 Noch eine +++

        Text.
        """;

    [Fact]
    public void AnEntryAfterMidnightAboveAStaleDateLineBelongsToTheFetchDay()
    {
        // Fetched 01.12. 00:05 Berlin: the date line still says 30.11.
        var items = parser.Parse(StaleAfterMidnight, FetchedAt(Utc(2025, 11, 30, 23, 5)));

        Assert.Equal([Utc(2025, 11, 30, 23, 3), Utc(2025, 11, 30, 22, 50), Utc(2025, 11, 30, 22, 20)], items.Select(i => i.Published));
    }

    [Fact]
    public void PagesWithoutADateLineSpanningThreeDaysTakeTheirDaysFromTheFetchTime()
    {
        const string page = """
            Liveticker+++ 01:10 Nachts +++
            Eins.
            +++ 00:20 Kurz nach Mitternacht +++
            Zwei.
            +++ 22:00 Am Abend +++
            Drei.
            +++ 09:00 Am Morgen +++
            Vier.
            +++ 23:30 Vorgestern spät +++
            Fünf.
            +++ 12:00 Vorgestern mittags +++
            Sechs.
            """;

        // Fetched 03.12.2025 01:15 Berlin.
        var items = parser.Parse(page, FetchedAt(Utc(2025, 12, 3, 0, 15)));

        Assert.Equal(
            [Utc(2025, 12, 3, 0, 10), Utc(2025, 12, 2, 23, 20), Utc(2025, 12, 2, 21, 0), Utc(2025, 12, 2, 8, 0), Utc(2025, 12, 1, 22, 30), Utc(2025, 12, 1, 11, 0)],
            items.Select(i => i.Published));
    }

    [Fact]
    public void APageWithoutAnyDateOrFetchTimeFailsSayingSo()
    {
        var error = Assert.Throws<TickerParseException>(() => parser.Parse("Liveticker+++ 10:00 Ohne Datum +++\nText.", Context()));

        Assert.Contains("no date", error.Message, StringComparison.Ordinal);
        Assert.Contains("no fetch time", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADateLineOlderThanTheTopEntryNeverDatesItBeforeTheCreation()
    {
        const string page = """
            Liveticker+++ 00:23 Kurz nach Mitternacht +++

            18.11.2025, 23:15 Uhr

            Text.

            +++ 23:40 Am Abend zuvor +++

            Text.
            """;

        Assert.Equal(Utc(2025, 11, 18, 23, 23), parser.Parse(page, Context())[0].Published);
        Assert.Equal(Utc(2025, 11, 18, 23, 23), parser.Parse(page, FetchedAt(Utc(2025, 11, 19, 0, 0)))[0].Published);
        Assert.Equal(Utc(2025, 11, 18, 22, 40), parser.Parse(page, FetchedAt(Utc(2025, 11, 19, 0, 0)))[1].Published);
    }

    [Fact]
    public void AFileModificationTimeIsTrustedOnlyUpToADayAfterTheCreation()
    {
        // Within a day of the creation: the file time dates the entry after midnight.
        Assert.Equal(Utc(2025, 11, 30, 23, 3), parser.Parse(StaleAfterMidnight, FetchedAt(Utc(2025, 11, 30, 23, 5), fromFile: true))[0].Published);

        // A copy made months later: bounded by a day after the creation (01.12. 00:10).
        Assert.Equal(Utc(2025, 11, 30, 23, 3), parser.Parse(StaleAfterMidnight, FetchedAt(Utc(2026, 6, 1, 12, 0), fromFile: true))[0].Published);

        // The same time given as --now or by a poll clock is trusted as is.
        Assert.Equal(Utc(2026, 5, 31, 22, 3), parser.Parse(StaleAfterMidnight, FetchedAt(Utc(2026, 6, 1, 12, 0)))[0].Published);
    }

    [Fact]
    public void AFileTimeAloneDatesAPageWithoutADateLine()
    {
        var items = parser.Parse("Liveticker+++ 10:00 Oben +++\nText.\n+++ 23:00 Gestern +++\nText.", FetchedAt(Utc(2025, 12, 1, 9, 30), fromFile: true));

        Assert.Equal([Utc(2025, 12, 1, 9, 0), Utc(2025, 11, 30, 22, 0)], items.Select(i => i.Published));
    }

    [Theory]
    [InlineData("<meta name=\"date\" content=\"2025-11-30T08:00:00+01:00\">")]
    [InlineData("<meta property=\"article:published_time\" content=\"2025-11-30T07:00:00Z\">")]
    [InlineData("<script type=\"application/ld+json\">{\"@type\":\"NewsArticle\",\"datePublished\":\"2025-11-30 08:00:00.0\"}</script>")]
    [InlineData("<script type=\"application/ld+json\">{\"@graph\":[{\"@type\":\"WebPage\"},{\"@type\":\"NewsArticle\",\"datePublished\":\"2025-11-30T08:00:00+01:00\"}]}</script>")]
    public void HtmlWithoutAVisibleDateLineTakesTheCreationFromItsMarkup(string head)
    {
        var html = $"<html><head>{head}</head><body><h1>Liveticker +++ 10:00 Oben +++</h1><p>Text.</p><h2>+++ 09:00 Darunter +++</h2><p>Text.</p></body></html>";

        var items = parser.Parse(html, Context());

        Assert.Equal([Utc(2025, 11, 30, 9, 0), Utc(2025, 11, 30, 8, 0)], items.Select(i => i.Published));
    }

    [Theory]
    [InlineData("<meta name=\"last-modified\" content=\"2025-12-01T00:10:00+01:00\">")]
    [InlineData("<script type=\"application/ld+json\">{\"datePublished\":\"2025-11-30 00:05:00.0\",\"dateModified\":\"2025-12-01 00:10:00.0\"}</script>")]
    public void TheLastChangeInTheMarkupIsTheUpperBound(string head)
    {
        // Created 30.11. 00:05; changed 01.12. 00:10: the 00:03 entry is of 01.12., even with a later fetch time.
        var html = $"<html><head><meta name=\"date\" content=\"2025-11-30T00:05:00+01:00\">{head}</head><body>"
            + "<h1>Liveticker +++ 00:03 Oben +++</h1><p>Text.</p><h2>+++ 23:50 Darunter +++</h2><p>Text.</p></body></html>";

        var items = parser.Parse(html, FetchedAt(Utc(2025, 12, 1, 20, 0)));

        Assert.Equal([Utc(2025, 11, 30, 23, 3), Utc(2025, 11, 30, 22, 50)], items.Select(i => i.Published));
    }

    /// <summary>Gaps in minutes between consecutive entries, newest first; all under a day, as a page can show.</summary>
    private static readonly Gen<int[]> Gaps = Gen.Int[0, 900].Array[2, 30];

    [Fact]
    public void AnyFetchTimeConsistentWithThePageGivesTheSameDaysAndTheSameNewEntries() =>
        Gen.Select(Gaps, Gen.Int[0, 1439], Gen.Int[0, 2], Gen.Int[0, (23 * 60) - 1], Gen.Int[0, (23 * 60) - 1], Gen.Int[1, 5]).Sample(
            (gaps, topMinute, dateLine, fetchA, fetchB, added) =>
            {
                // January: no daylight-saving change, so the truth is unambiguous.
                var top = new DateTime(2026, 1, 20, 0, 0, 0).AddMinutes(topMinute);
                var truth = new List<DateTime> { top };
                for (var i = 1; i < gaps.Length; i++)
                {
                    truth.Add(truth[^1].AddMinutes(-gaps[i]));
                }

                added = Math.Min(added, truth.Count - 1);
                var older = truth.Skip(added).ToList(); // The same page before the newest entries arrived.
                var fullPage = Page(truth, dateLine);
                var olderPage = Page(older, dateLine);
                var truthUtc = truth.Select(t => LocalTimesForTests.ToUtc(t)).ToList();

                // A fetch time is consistent when it is after the top entry and before its time comes round again.
                var fetchedFull = FetchedAt(truthUtc[0].AddMinutes(fetchA));
                var fetchedOlder = FetchedAt(truthUtc[added].AddMinutes(fetchB));

                var items = parser.Parse(fullPage, fetchedFull);
                Assert.Equal(truthUtc, items.Select(i => i.Published));

                var seen = parser.Parse(olderPage, fetchedOlder).ToDictionary(i => i.Key, SeenItem.Of);
                var diff = TickerDiffer.Diff(items, new SourceState(seen, null, null, null, 0, null));
                Assert.Equal(items.Take(added).Select(i => i.Key), diff.New.Select(i => i.Key));
                Assert.Empty(diff.Updated);
            });

    /// <summary>A page of entries at these local times, newest first; <paramref name="dateLine"/>: 0 none, 1 the top entry's day at 00:01, 2 the day before (stale).</summary>
    private static string Page(List<DateTime> times, int dateLine)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < times.Count; i++)
        {
            var heading = string.Create(CultureInfo.InvariantCulture, $"+++ {times[i]:HH:mm} Meldung {times.Count - i} vom {times[i]:dd.MM. HH:mm} +++");
            if (i == 0)
            {
                sb.Append("Probe im Liveticker").Append(heading).Append("\n\n");
                if (dateLine > 0)
                {
                    var created = times[0].Date.AddDays(1 - dateLine).AddMinutes(1);
                    sb.Append(created.ToString("dd.MM.yyyy, HH:mm", CultureInfo.InvariantCulture)).Append(" Uhr\n\n");
                }
            }
            else
            {
                sb.Append(heading).Append("\n\n");
            }

            sb.Append(string.Create(CultureInfo.InvariantCulture, $"Text vom {times[i]:dd.MM. HH:mm}.\n\n"));
        }

        return sb.ToString();
    }

    private static class LocalTimesForTests
    {
        public static DateTimeOffset ToUtc(DateTime local) => new(TimeZoneInfo.ConvertTimeToUtc(local, Berlin), TimeSpan.Zero);
    }
}
