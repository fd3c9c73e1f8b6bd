using Alerts.Core.Diffing;
using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tickers;
using static Alerts.Core.Tests.Tickers.TickerFixtures;

namespace Alerts.Core.Tests.Diffing;

/// <summary>The one poll pipeline over the real ntv parser, poll after poll, as the service and replay run it (issue 9).</summary>
public sealed class PollPipelineTests
{
    private static readonly SourceDefinition Source = new()
    {
        Id = "ntv-ukraine", Kind = SourceKinds.NtvLiveticker, Url = "https://www.n-tv.de/politik/Ukraine-Krieg-im-Liveticker-id30000001.html",
    };

    private readonly InMemoryTickerStateStore store = new();
    private readonly PollPipeline pipeline;

    public PollPipelineTests()
    {
        var matcher = new MatcherIndex();
        matcher.Add(new Subscription(1, "telegram:1", "Kiew", null, DateTimeOffset.UnixEpoch));
        matcher.Add(new Subscription(2, "telegram:2", "Odessa OR Kiew", null, DateTimeOffset.UnixEpoch));
        pipeline = new PollPipeline(TickerParsers.All, store, new EveryoneReceives(matcher));
    }

    private async Task<PollReport> PollAsync(string page, DateTimeOffset fetchedUtc) =>
        await pipeline.RunAsync(Source, await store.GetStateAsync(Source.Id), new FetchedPage(page, FetchTime.Now(fetchedUtc)), CancellationToken.None);

    private static string Entries(string? dateLine, params (string Time, string Headline)[] entries)
    {
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < entries.Count(); i++)
        {
            var (time, headline) = entries[i];
            sb.Append(i == 0 ? $"Ukraine-Krieg im Liveticker+++ {time} {headline} +++\n\n" : $"+++ {time} {headline} +++\n\n");
            if (i == 0 && dateLine is not null)
            {
                sb.Append(dateLine).Append("\n\n");
            }

            sb.Append("Bericht zu ").Append(headline).Append(".\n\n");
        }

        return sb.ToString();
    }

    public static TheoryData<bool> WithAndWithoutDateLines => new() { true, false };

    [Theory]
    [MemberData(nameof(WithAndWithoutDateLines))]
    public async Task AcrossMidnightAStaleDateLineAndItsRepublishAlertOncePerNewEntryWithItsTime(bool dateLines)
    {
        string? Line(string text) => dateLines ? text : null;

        // 30.11. 23:55 Berlin: the page as it stood before midnight.
        await PollAsync(Entries(Line("30.11.2025, 00:10 Uhr"), ("23:50", "Luftalarm in Kiew"), ("23:20", "Angriff auf Odessa")), Utc(2025, 11, 30, 22, 55));

        // 01.12. 00:05: an entry after midnight, the date line still says 30.11.
        var afterMidnight = await PollAsync(
            Entries(Line("30.11.2025, 00:10 Uhr"), ("00:03", "Explosionen in Kiew"), ("23:50", "Luftalarm in Kiew"), ("23:20", "Angriff auf Odessa")),
            Utc(2025, 11, 30, 23, 5));

        // 01.12. 00:20: the date line republished as 01.12., and one more entry.
        var republished = await PollAsync(
            Entries(Line("01.12.2025, 00:10 Uhr"), ("00:14", "Entwarnung in Kiew"), ("00:03", "Explosionen in Kiew"), ("23:50", "Luftalarm in Kiew"), ("23:20", "Angriff auf Odessa")),
            Utc(2025, 11, 30, 23, 20));

        // 01.12. 00:30: nothing new, the date line unchanged.
        var quiet = await PollAsync(
            Entries(Line("01.12.2025, 00:10 Uhr"), ("00:14", "Entwarnung in Kiew"), ("00:03", "Explosionen in Kiew"), ("23:50", "Luftalarm in Kiew"), ("23:20", "Angriff auf Odessa")),
            Utc(2025, 11, 30, 23, 30));

        Assert.Equal(
            [("telegram:1", "Explosionen in Kiew", Utc(2025, 11, 30, 23, 3)), ("telegram:2", "Explosionen in Kiew", Utc(2025, 11, 30, 23, 3))],
            afterMidnight.Alerts.Select(a => (a.SubscriberId, a.Item.Headline, a.Item.Published)));
        Assert.Equal(
            [("telegram:1", "Entwarnung in Kiew", Utc(2025, 11, 30, 23, 14)), ("telegram:2", "Entwarnung in Kiew", Utc(2025, 11, 30, 23, 14))],
            republished.Alerts.Select(a => (a.SubscriberId, a.Item.Headline, a.Item.Published)));
        Assert.Empty(quiet.Alerts);
        Assert.Empty(quiet.Diff.Updated);
    }

    [Fact]
    public async Task APageRepeatingItsNewestEntryFiveHundredTimesAlertsOnce()
    {
        await PollAsync(Entries("30.11.2025, 08:00 Uhr", ("09:00", "Ruhige Nacht")), Utc(2025, 11, 30, 8, 30));
        var repeated = Entries("30.11.2025, 08:00 Uhr", ("10:00", "Drohnen über Kiew"))
            + string.Concat(Enumerable.Repeat("+++ 10:00 Drohnen über Kiew +++\n\nBericht zu Drohnen über Kiew.\n\n", 500))
            + "+++ 09:00 Ruhige Nacht +++\n\nBericht zu Ruhige Nacht.\n\n";

        var report = await PollAsync(repeated, Utc(2025, 11, 30, 9, 5));

        Assert.Equal(["telegram:1", "telegram:2"], report.Alerts.Select(a => a.SubscriberId));
        Assert.Equal(2, report.Items.Count);
    }

    [Fact]
    public async Task AHeadlineTypoFixAndACorrectedTimeAreUpdatesNeverNewAlerts()
    {
        await PollAsync(Entries("30.11.2025, 08:00 Uhr", ("10:00", "Drohnen über Kiw"), ("09:00", "Ruhige Nacht in Odessa")), Utc(2025, 11, 30, 9, 5));

        var typo = await PollAsync(Entries("30.11.2025, 08:00 Uhr", ("10:00", "Drohnen über Kiew"), ("09:00", "Ruhige Nacht in Odessa")), Utc(2025, 11, 30, 9, 10));
        var time = await PollAsync(Entries("30.11.2025, 08:00 Uhr", ("10:00", "Drohnen über Kiew"), ("09:10", "Ruhige Nacht in Odessa")), Utc(2025, 11, 30, 9, 15));

        Assert.Empty(typo.Alerts);
        Assert.Equal(["Drohnen über Kiew"], typo.Diff.Updated.Select(i => i.Headline));
        Assert.Empty(time.Alerts);
        Assert.Equal(["Ruhige Nacht in Odessa"], time.Diff.Updated.Select(i => i.Headline));
    }

    [Fact]
    public async Task AnUpdatedEntryIsCommittedForItsAlertsToFollowUnderTheKeyItWasAlertedWith()
    {
        await PollAsync(Entries("30.11.2025, 08:00 Uhr", ("09:00", "Ruhige Nacht")), Utc(2025, 11, 30, 8, 30));
        var alerted = await PollAsync(Entries("30.11.2025, 08:00 Uhr", ("10:00", "Drohnen über Kiw"), ("09:00", "Ruhige Nacht")), Utc(2025, 11, 30, 9, 5));
        var alertedKey = Assert.Single(alerted.Diff.New).Key;

        // The headline's typo is fixed and the body grows: the entry's key changes with its headline (ntv keys on both).
        var page = Entries("30.11.2025, 08:00 Uhr", ("10:00", "Drohnen über Kiew"), ("09:00", "Ruhige Nacht")).Replace("Bericht zu Drohnen über Kiew.", "Bericht zu Drohnen über Kiew. Zwei wurden abgeschossen.", StringComparison.Ordinal);
        var fixedAt = Utc(2025, 11, 30, 9, 10);
        var report = await PollAsync(page, fixedAt);

        Assert.Empty(report.Alerts);
        var commit = store.Commits.Last();
        var update = Assert.Single(commit.Updates!);
        Assert.Equal(alertedKey, update.PreviousKey);
        Assert.NotEqual(alertedKey, update.Item.Key);
        Assert.Equal("Drohnen über Kiew", update.Item.Headline);
        Assert.Contains("Zwei wurden abgeschossen.", update.Item.Body, StringComparison.Ordinal);
        Assert.Equal(fixedAt - TimeSpan.FromHours(48), commit.EditableSince);
    }

    [Fact]
    public async Task APollWithoutChangesCommitsNoUpdates()
    {
        var page = Entries("30.11.2025, 08:00 Uhr", ("10:00", "Drohnen über Kiew"));
        await PollAsync(page, Utc(2025, 11, 30, 9, 5));
        await PollAsync(page, Utc(2025, 11, 30, 9, 10));

        Assert.Empty(store.Commits.Last().Updates!);
    }

    [Fact]
    public async Task ASeenSetOfTheOldKeySchemeIsReKeyedAndNothingOnThePageIsNew()
    {
        var page = Entries("30.11.2025, 00:10 Uhr", ("00:03", "Explosionen in Kiew"), ("23:50", "Luftalarm in Kiew"), ("23:50", "Luftalarm in Odessa"));

        // What the previous version stored: UTC minutes with same-minute ordinals, the days as it (wrongly) assigned them.
        var legacy = new Dictionary<string, SeenItem>
        {
            ["2025-11-29T23:03Z"] = new("2025-11-29T23:03Z", "x", ItemIdentity.HeadlineFingerprint("Explosionen in Kiew"), Utc(2025, 11, 29, 23, 3)),
            ["2025-11-29T22:50Z#2"] = new("2025-11-29T22:50Z#2", "x", ItemIdentity.HeadlineFingerprint("Luftalarm in Kiew"), Utc(2025, 11, 29, 22, 50)),
            ["2025-11-29T22:50Z"] = new("2025-11-29T22:50Z", "x", ItemIdentity.HeadlineFingerprint("Luftalarm in Odessa"), Utc(2025, 11, 29, 22, 50)),
        };
        store.States[Source.Id] = new SourceState(legacy, null, null, null, 0, null, KeyScheme: 1);

        var report = await PollAsync(page, Utc(2025, 11, 30, 23, 5));

        Assert.Empty(report.Diff.New);
        Assert.Empty(report.Alerts);
        var commit = store.Commits.Single();
        Assert.Equal(3, commit.RenamedKeys!.Count);
        Assert.Equal(report.Items.Select(i => i.Key).Order(), commit.RenamedKeys.Values.Order());
    }

    [Fact]
    public async Task APageThatCannotBeReadCommitsNothing()
    {
        await Assert.ThrowsAsync<TickerParseException>(() => PollAsync("Nur Text ohne Einträge.", Utc(2025, 11, 30, 9, 0)));

        Assert.Empty(store.Commits);
    }

    [Fact]
    public async Task ATwentyThousandEntryFeedGivesASubscriberTwentyAlertsAndOneSummaryOfTheRest()
    {
        var feed = new SourceDefinition { Id = "flood", Kind = SourceKinds.Feed, Url = "https://example.org/feed.xml" };
        var matcher = new MatcherIndex();
        matcher.Add(new Subscription(1, "telegram:1", "Drohnen", null, DateTimeOffset.UnixEpoch));
        matcher.Add(new Subscription(2, "telegram:2", "Odessa", null, DateTimeOffset.UnixEpoch));
        var floodStore = new InMemoryTickerStateStore();
        var flood = new PollPipeline(TickerParsers.All, floodStore, new EveryoneReceives(matcher));
        var start = new DateTimeOffset(2025, 12, 1, 0, 0, 0, TimeSpan.Zero);

        async Task<PollReport> Poll(int entries) => await flood.RunAsync(
            feed, await floodStore.GetStateAsync(feed.Id), new FetchedPage(Rss(entries, start), FetchTime.Now(start.AddDays(1))), CancellationToken.None);

        await Poll(1);
        var report = await Poll(20_000);

        // Entry 1 is the baseline; of the 19,999 new ones every one mentions drones, every thousandth Odessa.
        var first = report.Alerts.Where(a => a.SubscriberId == "telegram:1").ToList();
        Assert.Equal(21, first.Count);
        Assert.Equal("… and 19979 more entries matched", first[0].Item.Headline);
        Assert.True(PollPipeline.IsSummary(first[0].Item.Key, out var summarised));
        Assert.Equal(19_979, summarised);
        Assert.DoesNotContain(first.Skip(1), a => PollPipeline.IsSummary(a.Item.Key, out _));
        Assert.StartsWith("• Drohnen über Ort 19980\n• Drohnen über Ort 19979\n", first[0].Item.Body, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(19_981, 20).Select(n => n % 1000 == 0 ? "Drohnen über Odessa" : $"Drohnen über Ort {n}"), first.Skip(1).Select(a => a.Item.Headline));
        Assert.Equal(20, report.Alerts.Count(a => a.SubscriberId == "telegram:2"));
        Assert.DoesNotContain(report.Alerts, a => a.SubscriberId == "telegram:2" && a.Item.Headline.StartsWith('…'));
    }

    /// <summary>An RSS feed of <paramref name="count"/> entries, newest (the highest number) first; every thousandth names Odessa.</summary>
    private static string Rss(int count, DateTimeOffset start)
    {
        var sb = new System.Text.StringBuilder("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Flood</title>");
        for (var n = count; n >= 1; n--)
        {
            var place = n % 1000 == 0 ? "Odessa" : $"Ort {n}";
            sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"<item><guid>e{n}</guid><title>Drohnen über {place}</title><description>Bericht {n}.</description><pubDate>{start.AddSeconds(n):R}</pubDate></item>");
        }

        return sb.Append("</channel></rss>").ToString();
    }

    private sealed class EveryoneReceives(ISubscriptionMatcher matcher) : IAlertAudience
    {
        public ValueTask<ISubscriptionMatcher> GetMatcherAsync(CancellationToken cancellationToken) => ValueTask.FromResult(matcher);

        public ValueTask<bool> IsReceivingAsync(string subscriberId, CancellationToken cancellationToken) => ValueTask.FromResult(true);
    }
}
