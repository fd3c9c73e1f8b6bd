using Alerts.Core.Diffing;
using Alerts.Core.Tickers;
using Alerts.Storage.Sql;
using Alerts.Storage.Tests.Infrastructure;
using static Alerts.Storage.Tests.Infrastructure.Builders;

namespace Alerts.Storage.Tests;

public abstract class TickerStateStoreTests(TestDatabase database) : StoreTestBase(database)
{
    [SkippableFact]
    public async Task ANeverPolledSourceHasNoStateSoTheNextPollIsTheBaseline()
    {
        await using var stores = OpenStores();

        Assert.Null(await stores.Tickers.GetStateAsync(UniqueId("src")));
    }

    [SkippableFact]
    public async Task FailuresBeforeTheFirstSuccessDoNotCountAsABaseline()
    {
        await using var stores = OpenStores();
        var source = UniqueId("src");

        await stores.Tickers.RecordFailureAsync(source, "timeout", T0);
        await stores.Tickers.RecordSuccessAsync(source, T0.AddMinutes(1));

        Assert.Null(await stores.Tickers.GetStateAsync(source));
    }

    [SkippableFact]
    public async Task TheBaselineIsStoredWithValidatorsAndEveryItem()
    {
        await using var stores = OpenStores();
        var source = UniqueId("src");
        var page = Page(source, newestMinute: 30, count: 20);
        Assert.True(TickerDiffer.Diff(page, await stores.Tickers.GetStateAsync(source)).IsBaseline);

        await stores.Tickers.CommitPollAsync(Commit(source, page, T0.AddHours(1), etag: "\"v1\"") with { LastModified = "Mon, 01 Dec 2025 12:30:00 GMT" });

        var state = await stores.Tickers.GetStateAsync(source);
        Assert.NotNull(state);
        Assert.Equal("\"v1\"", state.ETag);
        Assert.Equal("Mon, 01 Dec 2025 12:30:00 GMT", state.LastModified);
        Assert.Equal(T0.AddHours(1), state.LastSuccessAt);
        Assert.Equal(0, state.ConsecutiveFailures);
        Assert.Equal(20, state.Seen.Count);
        var first = page[0];
        Assert.Equal(new SeenItem(first.Key, first.ContentHash, ItemIdentity.HeadlineFingerprint(first.Headline), first.Published), state.Seen[first.Key]);
    }

    [SkippableFact]
    public async Task AnEmptyBaselineStillCountsAsTheFirstPoll()
    {
        await using var stores = OpenStores();
        var source = UniqueId("src");

        await stores.Tickers.CommitPollAsync(Commit(source, [], T0));

        var state = await stores.Tickers.GetStateAsync(source);
        Assert.NotNull(state);
        Assert.Empty(state.Seen);
    }

    [SkippableFact]
    public async Task DiffAndCommitRoundTripFindsOnlyTheNewEntry()
    {
        await using var stores = OpenStores();
        var source = UniqueId("src");
        var subscriber = UniqueId("telegram");
        var first = Page(source, newestMinute: 10, count: 5);
        await stores.Tickers.CommitPollAsync(Commit(source, first, T0.AddMinutes(10)));

        var second = first.Prepend(Item(source, 12, "Drohnenangriff auf Odessa")).ToList();
        var diff = TickerDiffer.Diff(second, await stores.Tickers.GetStateAsync(source));
        Assert.Equal([second[0]], diff.New);
        await stores.Tickers.CommitPollAsync(Commit(source, second, T0.AddMinutes(12), diff.New.Select(i => Alert(subscriber, i, "Drohnenangriff")).ToList()));

        var third = TickerDiffer.Diff(second, await stores.Tickers.GetStateAsync(source));
        Assert.Empty(third.New);
        Assert.Empty(third.Updated);
    }

    [SkippableFact]
    public async Task AnEditedEntryIsStoredWithItsNewHashSoTheEditIsSeenOnce()
    {
        await using var stores = OpenStores();
        var source = UniqueId("src");
        var original = Item(source, 5, "Selenskyj trift Macron");
        await stores.Tickers.CommitPollAsync(Commit(source, [original], T0.AddMinutes(5)));

        var fixedTypo = Item(source, 5, "Selenskyj trifft Macron");
        var diff = TickerDiffer.Diff([fixedTypo], await stores.Tickers.GetStateAsync(source));
        Assert.Equal([fixedTypo], diff.Updated);
        await stores.Tickers.CommitPollAsync(Commit(source, [fixedTypo], T0.AddMinutes(6)));

        var again = TickerDiffer.Diff([fixedTypo], await stores.Tickers.GetStateAsync(source));
        Assert.Empty(again.New);
        Assert.Empty(again.Updated);
    }

    [SkippableFact]
    public async Task ARestartedProcessSeesTheSameSeenSetAndAlertsNothingOld()
    {
        var source = UniqueId("src");
        var page = Page(source, newestMinute: 40, count: 30);
        await using (var before = OpenStores())
        {
            await before.Tickers.CommitPollAsync(Commit(source, page, T0.AddMinutes(40), etag: "\"a\""));
        }

        // New store instances over the same database: what a restarted host has.
        await using var after = OpenStores();
        var state = await after.Tickers.GetStateAsync(source);
        var grown = page.Prepend(Item(source, 41, "Neue Meldung nach dem Neustart")).ToList();
        var diff = TickerDiffer.Diff(grown, state);

        Assert.False(diff.IsBaseline);
        Assert.Equal("\"a\"", state!.ETag);
        Assert.Equal([grown[0]], diff.New);
        Assert.Empty(diff.Updated);
    }

    [SkippableFact]
    public async Task FailuresAreCountedAndASuccessfulPollResetsThem()
    {
        await using var stores = OpenStores();
        var source = UniqueId("src");
        await stores.Tickers.CommitPollAsync(Commit(source, Page(source, 1, 2), T0));

        await stores.Tickers.RecordFailureAsync(source, "HTTP 503", T0.AddMinutes(1));
        await stores.Tickers.RecordFailureAsync(source, "timeout after 10 s", T0.AddMinutes(2));
        var failing = await stores.Tickers.GetStateAsync(source);
        Assert.Equal(2, failing!.ConsecutiveFailures);
        Assert.Equal("timeout after 10 s", failing.LastError);
        Assert.Equal(T0, failing.LastSuccessAt);

        await stores.Tickers.RecordSuccessAsync(source, T0.AddMinutes(3));
        var recovered = await stores.Tickers.GetStateAsync(source);
        Assert.Equal(0, recovered!.ConsecutiveFailures);
        Assert.Null(recovered.LastError);
        Assert.Equal(T0.AddMinutes(3), recovered.LastSuccessAt);

        await stores.Tickers.RecordFailureAsync(source, "HTTP 500", T0.AddMinutes(4));
        await stores.Tickers.CommitPollAsync(Commit(source, Page(source, 5, 2), T0.AddMinutes(5)));
        Assert.Equal(0, (await stores.Tickers.GetStateAsync(source))!.ConsecutiveFailures);
    }

    [SkippableFact]
    public async Task HistoryIsBoundedToTheNewestItemsPerSource()
    {
        var options = new StorageOptions { Provider = Database.Options.Provider, ConnectionString = Database.Options.ConnectionString, SeenHistoryPerSource = 100 };
        var store = new TickerStateStore(SqlDatabase.Create(options), options);
        var source = UniqueId("src");
        var other = UniqueId("src");
        await store.CommitPollAsync(Commit(other, Page(other, 0, 10), T0));

        // 30 polls of a 20-entry page that gains 5 entries each time: 165 distinct entries pass by.
        for (var poll = 0; poll < 30; poll++)
        {
            await store.CommitPollAsync(Commit(source, Page(source, newestMinute: poll * 5, count: 20), T0.AddMinutes(poll)));
        }

        var seen = (await store.GetStateAsync(source))!.Seen;
        Assert.InRange(seen.Count, 100, 120);
        Assert.All(Page(source, 29 * 5, 20), i => Assert.Contains(i.Key, seen.Keys));
        Assert.DoesNotContain(Item(source, 0).Key, seen.Keys);
        Assert.Equal(10, (await store.GetStateAsync(other))!.Seen.Count);
    }

    [SkippableFact]
    public async Task APageLongerThanTheHistoryIsNeverTrimmed()
    {
        var options = new StorageOptions { Provider = Database.Options.Provider, ConnectionString = Database.Options.ConnectionString, SeenHistoryPerSource = 100 };
        var store = new TickerStateStore(SqlDatabase.Create(options), options);
        var source = UniqueId("src");
        await store.CommitPollAsync(Commit(source, Page(source, 0, 50), T0));

        var huge = Page(source, newestMinute: 1000, count: 150);
        await store.CommitPollAsync(Commit(source, huge, T0.AddMinutes(1)));

        var seen = (await store.GetStateAsync(source))!.Seen;
        Assert.All(huge, i => Assert.Contains(i.Key, seen.Keys));
    }

    [SkippableFact]
    public async Task RecentItemsKeepTheNewestFiftyWithAllTheirFields()
    {
        await using var stores = OpenStores();
        var source = UniqueId("src");
        await stores.Tickers.CommitPollAsync(Commit(source, Page(source, 40, 40), T0));
        var page = Page(source, 70, 40);
        await stores.Tickers.CommitPollAsync(Commit(source, page, T0.AddMinutes(1)));

        var recent = await stores.Tickers.GetRecentItemsAsync(source, 100);

        Assert.Equal(50, recent.Count);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => Item(source, 70 - i)), recent);
        Assert.Equal(3, (await stores.Tickers.GetRecentItemsAsync(source, 3)).Count);
    }

    [SkippableFact]
    public async Task RecentItemsShowTheLatestTextOfAnEditedEntry()
    {
        await using var stores = OpenStores();
        var source = UniqueId("src");
        await stores.Tickers.CommitPollAsync(Commit(source, [Item(source, 1, "Alt", "Erste Fassung.")], T0));
        var edited = Item(source, 1, "Neu", "Zweite Fassung.\n\nMit Absatz.");
        await stores.Tickers.CommitPollAsync(Commit(source, [edited], T0.AddMinutes(1)));

        Assert.Equal([edited], await stores.Tickers.GetRecentItemsAsync(source, 10));
    }

    [SkippableFact]
    public async Task ADuplicateKeyOnOnePageIsStoredOnceAsTheTopmost()
    {
        await using var stores = OpenStores();
        var source = UniqueId("src");
        var top = Item(source, 1, "Oben");
        var lower = Item(source, 1, "Unten");

        await stores.Tickers.CommitPollAsync(Commit(source, [top, lower], T0));

        var state = await stores.Tickers.GetStateAsync(source);
        Assert.Equal(top.ContentHash, Assert.Single(state!.Seen).Value.ContentHash);
    }

    [SkippableFact]
    public async Task ACommitThatFailsLeavesNothingBehind()
    {
        await using var stores = OpenStores();
        var source = UniqueId("src");
        var item = Item(source, 1);
        var broken = new TickerItem(source, "k", T0, null!, "body", null, "hash");

        await Assert.ThrowsAnyAsync<Exception>(() => stores.Tickers.CommitPollAsync(Commit(source, [item], T0, [new NewAlert("telegram:1", broken, "q", ["x"])])));

        Assert.Null(await stores.Tickers.GetStateAsync(source));
        Assert.Empty(await stores.Tickers.GetRecentItemsAsync(source, 10));
    }
}

public sealed class SqliteTickerStateStoreTests(SqliteTestDatabase database) : TickerStateStoreTests(database), IClassFixture<SqliteTestDatabase>;

public sealed class PostgresTickerStateStoreTests(PostgresTestDatabase database) : TickerStateStoreTests(database), IClassFixture<PostgresTestDatabase>;
