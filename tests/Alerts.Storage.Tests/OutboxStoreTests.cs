using System.Collections.Concurrent;
using Alerts.Core.Delivery;
using Alerts.Core.Diffing;
using Alerts.Storage.Tests.Infrastructure;
using static Alerts.Storage.Tests.Infrastructure.Builders;

namespace Alerts.Storage.Tests;

/// <summary>Every test here looks at the whole outbox table, so each uses a database of its own.</summary>
public abstract class OutboxStoreTests(TestDatabase database) : StoreTestBase(database)
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    [SkippableFact]
    public async Task TheSameSubscriberAndItemEnqueuedTwiceIsOneRow()
    {
        await using var stores = await OpenFreshStoresAsync();
        var item = Item("src", 1);
        await stores.Tickers.CommitPollAsync(Commit("src", [item], T0, [Alert("telegram:1", item), Alert("telegram:1", item)]));
        await stores.Tickers.CommitPollAsync(Commit("src", [item], T0.AddMinutes(1), [Alert("telegram:1", item), Alert("telegram:2", item)]));

        var claimed = await stores.Outbox.ClaimDueAsync("d", 100, T0.AddMinutes(2), Lease);

        Assert.Equal(["telegram:1", "telegram:2"], claimed.Select(a => a.SubscriberId).Order());
    }

    [SkippableFact]
    public async Task AClaimedAlertCarriesEverythingTheChannelNeeds()
    {
        await using var stores = await OpenFreshStoresAsync();
        var item = Item("src", 1, "Drohnen über Kiew", "Erster Absatz.\n\nZweiter Absatz mit Зеленський.");
        await stores.Tickers.CommitPollAsync(Commit("src", [item], T0, [new NewAlert("discord-user:7", item, "drohne* kiew", ["Drohnen", "Kiew"])]));

        var alert = Assert.Single(await stores.Outbox.ClaimDueAsync("d", 10, T0, Lease));

        Assert.Equal("discord-user:7", alert.SubscriberId);
        Assert.Equal("src", alert.SourceId);
        Assert.Equal(item.Key, alert.ItemKey);
        Assert.Equal(item.Published, alert.Published);
        Assert.Equal(item.Headline, alert.Headline);
        Assert.Equal(item.Body, alert.Body);
        Assert.Equal(item.Url, alert.Url);
        Assert.Equal("drohne* kiew", alert.Query);
        Assert.Equal(["Drohnen", "Kiew"], alert.Matched);
        Assert.Equal(T0, alert.EnqueuedAt);
        Assert.Equal(0, alert.Attempts);
    }

    [SkippableFact]
    public async Task ClaimsTakeTheOldestFirstAndNoMoreThanAsked()
    {
        await using var stores = await OpenFreshStoresAsync();
        for (var i = 0; i < 5; i++)
        {
            var item = Item("src", i);
            await stores.Tickers.CommitPollAsync(Commit("src", [item], T0.AddSeconds(i), [Alert("telegram:1", item)]));
        }

        var first = await stores.Outbox.ClaimDueAsync("d", 2, T0.AddMinutes(1), Lease);
        var rest = await stores.Outbox.ClaimDueAsync("d", 10, T0.AddMinutes(1), Lease);

        Assert.Equal([Item("src", 0).Key, Item("src", 1).Key], first.Select(a => a.ItemKey));
        Assert.Equal([2, 3, 4], rest.Select(a => Array.IndexOf(Enumerable.Range(0, 5).Select(i => Item("src", i).Key).ToArray(), a.ItemKey)));
    }

    [SkippableFact]
    public async Task AnAlertIsNotDueBeforeItWasEnqueued()
    {
        await using var stores = await OpenFreshStoresAsync();
        var item = Item("src", 1);
        await stores.Tickers.CommitPollAsync(Commit("src", [item], T0, [Alert("telegram:1", item)]));

        Assert.Empty(await stores.Outbox.ClaimDueAsync("d", 10, T0.AddSeconds(-1), Lease));
        Assert.Single(await stores.Outbox.ClaimDueAsync("d", 10, T0, Lease));
    }

    [SkippableFact]
    public async Task ReleasingClaimsMakesEveryClaimedPendingRowDueAtOnceAndLeavesTheRestAlone()
    {
        await using var stores = await OpenFreshStoresAsync();
        var items = Enumerable.Range(0, 4).Select(i => Item("src", i)).ToArray();
        await stores.Tickers.CommitPollAsync(Commit("src", items, T0, [.. items.Select(i => Alert("telegram:1", i))]));
        var claimed = await stores.Outbox.ClaimDueAsync("dead", 3, T0, TimeSpan.FromMinutes(2));
        await stores.Outbox.MarkSentAsync(claimed[0].Id, T0);
        await stores.Outbox.RescheduleAsync(claimed[1].Id, T0.AddHours(1), "rate limit", countsAsAttempt: false);

        var released = await stores.Outbox.ReleaseClaimsAsync(T0.AddSeconds(1));

        // Only the one still claimed (the sent row is finished, the rescheduled one was handed back, the fourth never claimed).
        Assert.Equal(1, released);
        var due = (await stores.Outbox.ClaimDueAsync("next", 10, T0.AddSeconds(1), Lease)).Select(a => a.Id).ToArray();
        Assert.Equal(2, due.Length);
        Assert.Contains(claimed[2].Id, due);
        Assert.DoesNotContain(claimed[0].Id, due);
        Assert.DoesNotContain(claimed[1].Id, due);
        Assert.Equal(2, await stores.Outbox.ReleaseClaimsAsync(T0.AddSeconds(2)));
    }

    [SkippableFact]
    public async Task ALeasedAlertIsInvisibleUntilTheLeaseEndsThenAnotherDispatcherTakesIt()
    {
        await using var stores = await OpenFreshStoresAsync();
        var item = Item("src", 1);
        await stores.Tickers.CommitPollAsync(Commit("src", [item], T0, [Alert("telegram:1", item)]));

        Assert.Single(await stores.Outbox.ClaimDueAsync("crashed", 10, T0, Lease));
        Assert.Empty(await stores.Outbox.ClaimDueAsync("other", 10, T0.AddSeconds(29), Lease));

        // The first dispatcher died without a word: after its lease the row is due again (crash recovery).
        var recovered = Assert.Single(await stores.Outbox.ClaimDueAsync("other", 10, T0 + Lease, Lease));
        Assert.Equal(item.Key, recovered.ItemKey);
    }

    [SkippableFact]
    public async Task ASentAlertIsNeverClaimedAgain()
    {
        await using var stores = await OpenFreshStoresAsync();
        var item = Item("src", 1);
        await stores.Tickers.CommitPollAsync(Commit("src", [item], T0, [Alert("telegram:1", item)]));
        var alert = Assert.Single(await stores.Outbox.ClaimDueAsync("d", 10, T0, Lease));

        await stores.Outbox.MarkSentAsync(alert.Id, T0.AddSeconds(1));

        Assert.Empty(await stores.Outbox.ClaimDueAsync("d", 10, T0.AddDays(1), Lease));
        var counts = await stores.Outbox.CountByStatusAsync();
        Assert.Equal(1, counts[OutboxStatus.Sent]);
        Assert.Equal(0, counts[OutboxStatus.Pending]);
        Assert.Equal(0, counts[OutboxStatus.Failed]);
    }

    [SkippableFact]
    public async Task AFailedAlertEndsAsFailedAndIsNeverClaimedAgain()
    {
        await using var stores = await OpenFreshStoresAsync();
        var item = Item("src", 1);
        await stores.Tickers.CommitPollAsync(Commit("src", [item], T0, [Alert("telegram:1", item)]));
        var alert = Assert.Single(await stores.Outbox.ClaimDueAsync("d", 10, T0, Lease));

        await stores.Outbox.MarkFailedAsync(alert.Id, "400 Bad Request: message is too long", T0.AddSeconds(1));

        Assert.Empty(await stores.Outbox.ClaimDueAsync("d", 10, T0.AddDays(1), Lease));
        Assert.Equal(1, (await stores.Outbox.CountByStatusAsync())[OutboxStatus.Failed]);
    }

    [SkippableFact]
    public async Task ARescheduledAlertWaitsAndCountsAttemptsOnlyWhenAsked()
    {
        await using var stores = await OpenFreshStoresAsync();
        var item = Item("src", 1);
        await stores.Tickers.CommitPollAsync(Commit("src", [item], T0, [Alert("telegram:1", item)]));
        var alert = Assert.Single(await stores.Outbox.ClaimDueAsync("d", 10, T0, Lease));

        await stores.Outbox.RescheduleAsync(alert.Id, T0.AddSeconds(5), "HTTP 502", countsAsAttempt: true);
        Assert.Empty(await stores.Outbox.ClaimDueAsync("d", 10, T0.AddSeconds(4), Lease));
        var retried = Assert.Single(await stores.Outbox.ClaimDueAsync("d", 10, T0.AddSeconds(5), Lease));
        Assert.Equal(1, retried.Attempts);

        // A 429 is the platform's pacing, not the alert's fault: the wait does not use up a retry.
        await stores.Outbox.RescheduleAsync(alert.Id, T0.AddSeconds(8), "429 retry after 3 s", countsAsAttempt: false);
        var paced = Assert.Single(await stores.Outbox.ClaimDueAsync("d", 10, T0.AddSeconds(8), Lease));
        Assert.Equal(1, paced.Attempts);
        Assert.Equal(1, (await stores.Outbox.CountByStatusAsync())[OutboxStatus.Pending]);
    }

    [SkippableFact]
    public async Task ARescheduleCannotReviveAFinishedAlert()
    {
        await using var stores = await OpenFreshStoresAsync();
        var item = Item("src", 1);
        await stores.Tickers.CommitPollAsync(Commit("src", [item], T0, [Alert("telegram:1", item)]));
        var alert = Assert.Single(await stores.Outbox.ClaimDueAsync("d", 10, T0, Lease));
        await stores.Outbox.MarkSentAsync(alert.Id, T0);

        await stores.Outbox.RescheduleAsync(alert.Id, T0, "late retry", countsAsAttempt: true);

        Assert.Empty(await stores.Outbox.ClaimDueAsync("d", 10, T0.AddDays(1), Lease));
    }

    [SkippableFact]
    public async Task PurgingRemovesOnlyRowsThatFinishedBeforeTheCutoff()
    {
        await using var stores = await OpenFreshStoresAsync();
        var items = Page("src", 10, 4);
        await stores.Tickers.CommitPollAsync(Commit("src", items, T0, items.Select(i => Alert("telegram:1", i)).ToList()));
        var claimed = await stores.Outbox.ClaimDueAsync("d", 3, T0, Lease);
        await stores.Outbox.MarkSentAsync(claimed[0].Id, T0.AddDays(1));
        await stores.Outbox.MarkFailedAsync(claimed[1].Id, "400", T0.AddDays(1));
        await stores.Outbox.MarkSentAsync(claimed[2].Id, T0.AddDays(3));

        Assert.Equal(2, await stores.OutboxRetention.PurgeFinishedAsync(T0.AddDays(2)));

        var counts = await stores.Outbox.CountByStatusAsync();
        Assert.Equal((1L, 0L, 1L), (counts[OutboxStatus.Sent], counts[OutboxStatus.Failed], counts[OutboxStatus.Pending]));
    }

    [SkippableFact]
    public async Task ConcurrentClaimersNeverGetTheSameAlert()
    {
        const int alerts = 400;
        var options = await Database.CreateDatabaseAsync();
        await using (var setup = Stores.Open(options))
        {
            var items = Page("src", 1000, alerts);
            await setup.Tickers.CommitPollAsync(Commit("src", items, T0, items.Select(i => Alert("telegram:1", i)).ToList()));
        }

        // Four dispatchers, each with its own store instances (as separate processes would have), claim in
        // small batches and mark sent until nothing is left.
        var claims = new ConcurrentBag<(string Owner, long Id)>();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var dispatchers = Enumerable.Range(0, 4).Select(n => Task.Run(async () =>
        {
            await using var stores = Stores.Open(options);
            var owner = $"dispatcher-{n}";
            await start.Task;
            while (true)
            {
                var batch = await stores.Outbox.ClaimDueAsync(owner, 7, T0.AddMinutes(1), TimeSpan.FromHours(1));
                if (batch.Count == 0)
                {
                    return;
                }

                foreach (var alert in batch)
                {
                    claims.Add((owner, alert.Id));
                    await stores.Outbox.MarkSentAsync(alert.Id, T0.AddMinutes(1));
                }
            }
        })).ToList();
        start.SetResult();
        await Task.WhenAll(dispatchers);

        Assert.Equal(alerts, claims.Count);
        Assert.Equal(alerts, claims.Select(c => c.Id).Distinct().Count());
        await using var check = Stores.Open(options);
        Assert.Equal(alerts, (await check.Outbox.CountByStatusAsync())[OutboxStatus.Sent]);
    }
}

public sealed class SqliteOutboxStoreTests(SqliteTestDatabase database) : OutboxStoreTests(database), IClassFixture<SqliteTestDatabase>;

public sealed class PostgresOutboxStoreTests(PostgresTestDatabase database) : OutboxStoreTests(database), IClassFixture<PostgresTestDatabase>;
