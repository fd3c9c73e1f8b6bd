using Alerts.Core.Delivery;
using Alerts.Core.Subscriptions;
using Alerts.Storage.Tests.Infrastructure;
using static Alerts.Storage.Tests.Infrastructure.Builders;

namespace Alerts.Storage.Tests;

public abstract class SubscriptionStoreTests(TestDatabase database) : StoreTestBase(database)
{
    [SkippableFact]
    public async Task ASubscriberIsCreatedOnceAndItsStoredFlagsWin()
    {
        await using var stores = OpenStores();
        var created = await stores.Subscriptions.EnsureSubscriberAsync(Subscriber(isGroup: true) with { TimeZone = "Europe/Kyiv" });
        await stores.Subscriptions.SetPausedAsync(created.Id, paused: true);

        var again = await stores.Subscriptions.EnsureSubscriberAsync(created with { Paused = false, TimeZone = "UTC" });

        Assert.Equal(created with { Paused = true }, again);
        Assert.Equal(again, await stores.Subscriptions.GetSubscriberAsync(created.Id));
        Assert.Null(await stores.Subscriptions.GetSubscriberAsync(UniqueId("telegram")));
    }

    [SkippableFact]
    public async Task SubscriptionsAreListedOldestFirstAndRemovedById()
    {
        await using var stores = OpenStores();
        var subscriber = await stores.Subscriptions.EnsureSubscriberAsync(Subscriber());
        var first = await stores.Subscriptions.AddSubscriptionAsync(subscriber.Id, "Selenskyj", null, T0);
        var second = await stores.Subscriptions.AddSubscriptionAsync(subscriber.Id, "drohne* kiew", "ntv-ukraine", T0.AddMinutes(1));

        Assert.Equal([first, second], await stores.Subscriptions.ListSubscriptionsAsync(subscriber.Id));
        Assert.Equal(new Subscription(second.Id, subscriber.Id, "drohne* kiew", "ntv-ukraine", T0.AddMinutes(1)), second);

        Assert.True(await stores.Subscriptions.RemoveSubscriptionAsync(first.Id));
        Assert.False(await stores.Subscriptions.RemoveSubscriptionAsync(first.Id));
        Assert.Equal([second], await stores.Subscriptions.ListSubscriptionsAsync(subscriber.Id));
        Assert.Contains(second, await stores.Subscriptions.GetAllSubscriptionsAsync());
        Assert.DoesNotContain(first, await stores.Subscriptions.GetAllSubscriptionsAsync());
    }

    [SkippableFact]
    public async Task ASubscriptionForAnUnknownSubscriberIsRefusedWithAClearError()
    {
        await using var stores = OpenStores();
        var unknown = UniqueId("telegram");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => stores.Subscriptions.AddSubscriptionAsync(unknown, "Nato", null, T0));

        Assert.Contains(unknown, error.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task PauseDeactivateAndReactivateAreStored()
    {
        await using var stores = OpenStores();
        var subscriber = await stores.Subscriptions.EnsureSubscriberAsync(Subscriber());

        await stores.Subscriptions.SetPausedAsync(subscriber.Id, true);
        await stores.Subscriptions.DeactivateAsync(subscriber.Id, "403 Forbidden: bot was blocked by the user");
        var gone = await stores.Subscriptions.GetSubscriberAsync(subscriber.Id);
        Assert.Equal(subscriber with { Paused = true, Active = false, DeactivatedReason = "403 Forbidden: bot was blocked by the user" }, gone);

        await stores.Subscriptions.ReactivateAsync(subscriber.Id);
        await stores.Subscriptions.SetPausedAsync(subscriber.Id, false);
        Assert.Equal(subscriber, await stores.Subscriptions.GetSubscriberAsync(subscriber.Id));
    }

    [SkippableFact]
    public async Task TheChatsSettingsAndASubscriptionsMuteAreStored()
    {
        await using var stores = OpenStores();
        var subscriber = await stores.Subscriptions.EnsureSubscriberAsync(Subscriber() with { DetectedLanguage = ChatLanguage.German });
        Assert.Equal(ChatLanguage.German, subscriber.EffectiveLanguage);
        var subscription = await stores.Subscriptions.AddSubscriptionAsync(subscriber.Id, "Drohne", null, T0);

        var changed = subscriber with
        {
            Language = ChatLanguage.English, TimeZone = "Europe/Kyiv", MutedUntil = T0.AddHours(2),
            Quiet = new QuietHours(new TimeOnly(22, 0), new TimeOnly(7, 30)), LongFormat = true,
        };
        await stores.Subscriptions.SaveSettingsAsync(changed);
        Assert.True(await stores.Subscriptions.SetSubscriptionMutedUntilAsync(subscription.Id, T0.AddHours(1)));

        Assert.Equal(changed, await stores.Subscriptions.GetSubscriberAsync(subscriber.Id));
        Assert.Equal(T0.AddHours(1), Assert.Single(await stores.Subscriptions.ListSubscriptionsAsync(subscriber.Id)).MutedUntil);

        Assert.True(await stores.Subscriptions.SetSubscriptionMutedUntilAsync(subscription.Id, null));
        Assert.Null(Assert.Single(await stores.Subscriptions.ListSubscriptionsAsync(subscriber.Id)).MutedUntil);
        Assert.False(await stores.Subscriptions.SetSubscriptionMutedUntilAsync(subscription.Id + 1000, null));
    }

    [SkippableFact]
    public async Task TheChangeFeedCarriesAnotherInstancesAddsAndRemovals()
    {
        await using var commands = OpenStores();
        await using var matcher = OpenStores();
        var start = (await matcher.Subscriptions.GetChangesSinceAsync(0)).Version;
        var subscriber = await commands.Subscriptions.EnsureSubscriberAsync(Subscriber());

        var kept = await commands.Subscriptions.AddSubscriptionAsync(subscriber.Id, "Nato", null, T0);
        var dropped = await commands.Subscriptions.AddSubscriptionAsync(subscriber.Id, "Krim", null, T0);
        var afterAdds = await matcher.Subscriptions.GetChangesSinceAsync(start);
        Assert.Equal([kept, dropped], afterAdds.Added);
        Assert.Empty(afterAdds.Removed);
        Assert.True(afterAdds.Version > start);

        await commands.Subscriptions.RemoveSubscriptionAsync(dropped.Id);
        var afterRemove = await matcher.Subscriptions.GetChangesSinceAsync(afterAdds.Version);
        Assert.Empty(afterRemove.Added);
        Assert.Equal([dropped.Id], afterRemove.Removed);
        Assert.True(afterRemove.Version > afterAdds.Version);

        var quiet = await matcher.Subscriptions.GetChangesSinceAsync(afterRemove.Version);
        Assert.Empty(quiet.Added);
        Assert.Empty(quiet.Removed);
        Assert.Equal(afterRemove.Version, quiet.Version);
    }

    [SkippableFact]
    public async Task ASubscriptionAddedAndRemovedBetweenTwoReadsArrivesOnlyAsARemoval()
    {
        await using var stores = OpenStores();
        var since = (await stores.Subscriptions.GetChangesSinceAsync(0)).Version;
        var subscriber = await stores.Subscriptions.EnsureSubscriberAsync(Subscriber());
        var brief = await stores.Subscriptions.AddSubscriptionAsync(subscriber.Id, "Waffenruhe", null, T0);
        await stores.Subscriptions.RemoveSubscriptionAsync(brief.Id);

        var changes = await stores.Subscriptions.GetChangesSinceAsync(since);

        Assert.DoesNotContain(changes.Added, s => s.Id == brief.Id);
        Assert.Contains(brief.Id, changes.Removed);
    }

    [SkippableFact]
    public async Task ConcurrentWritersOnTwoInstancesLeaveNoGapInTheFeed()
    {
        var options = await Database.CreateDatabaseAsync();
        await using var a = Stores.Open(options);
        await using var b = Stores.Open(options);
        await using var reader = Stores.Open(options);
        var subscriber = await a.Subscriptions.EnsureSubscriberAsync(Subscriber());

        // A matcher replica follows the feed while two instances add subscriptions at the same time.
        var index = new Dictionary<long, Subscription>();
        var version = 0L;
        var writers = new[] { a, b }.Select((stores, n) => Task.Run(async () =>
        {
            for (var i = 0; i < 40; i++)
            {
                await stores.Subscriptions.AddSubscriptionAsync(subscriber.Id, $"w{n}-{i}", null, T0);
            }
        })).ToArray();
        while (!writers.All(w => w.IsCompleted))
        {
            version = Apply(await reader.Subscriptions.GetChangesSinceAsync(version), index);
        }

        await Task.WhenAll(writers);
        version = Apply(await reader.Subscriptions.GetChangesSinceAsync(version), index);

        Assert.Equal(80, index.Count);
        Assert.Equal((await reader.Subscriptions.GetAllSubscriptionsAsync()).Select(s => s.Id).Order(), index.Keys.Order());
    }

    [SkippableFact]
    public async Task MigratingASubscriberMovesItsSubscriptionsAndPendingAlerts()
    {
        var options = await Database.CreateDatabaseAsync();
        await using var stores = Stores.Open(options);
        var oldGroup = await stores.Subscriptions.EnsureSubscriberAsync(Subscriber("telegram:-4001", isGroup: true) with { TimeZone = "Europe/Kyiv" });
        await stores.Subscriptions.SetPausedAsync(oldGroup.Id, true);
        var subscription = await stores.Subscriptions.AddSubscriptionAsync(oldGroup.Id, "Nato", null, T0);
        var since = (await stores.Subscriptions.GetChangesSinceAsync(0)).Version;

        var sentItem = Item("src", 1);
        var pendingItem = Item("src", 2);
        await stores.Tickers.CommitPollAsync(Commit("src", [sentItem, pendingItem], T0, [Alert(oldGroup.Id, sentItem), Alert(oldGroup.Id, pendingItem)]));
        var claimed = await stores.Outbox.ClaimDueAsync("d", 1, T0, TimeSpan.FromSeconds(30));
        await stores.Outbox.MarkSentAsync(claimed[0].Id, T0);

        var supergroup = Subscriber("telegram:-1009001", isGroup: true);
        await stores.Subscriptions.MigrateSubscriberAsync(oldGroup.Id, supergroup);

        var moved = await stores.Subscriptions.GetSubscriberAsync(supergroup.Id);
        Assert.Equal(supergroup with { Paused = true, TimeZone = "Europe/Kyiv" }, moved);
        var old = await stores.Subscriptions.GetSubscriberAsync(oldGroup.Id);
        Assert.False(old!.Active);
        Assert.Contains(supergroup.Id, old.DeactivatedReason, StringComparison.Ordinal);

        Assert.Empty(await stores.Subscriptions.ListSubscriptionsAsync(oldGroup.Id));
        Assert.Equal([subscription with { SubscriberId = supergroup.Id }], await stores.Subscriptions.ListSubscriptionsAsync(supergroup.Id));
        Assert.Equal([subscription with { SubscriberId = supergroup.Id }], (await stores.Subscriptions.GetChangesSinceAsync(since)).Added);

        var pending = Assert.Single(await stores.Outbox.ClaimDueAsync("d", 10, T0.AddMinutes(1), TimeSpan.FromSeconds(30)));
        Assert.Equal((supergroup.Id, pendingItem.Key), (pending.SubscriberId, pending.ItemKey));
        Assert.Equal(1, (await stores.Outbox.CountByStatusAsync())[OutboxStatus.Sent]);
    }

    [SkippableFact]
    public async Task MigratingOntoAnAddressThatAlreadyHasTheAlertKeepsOneAlert()
    {
        var options = await Database.CreateDatabaseAsync();
        await using var stores = Stores.Open(options);
        var oldGroup = await stores.Subscriptions.EnsureSubscriberAsync(Subscriber("telegram:-4002", isGroup: true));
        var supergroup = await stores.Subscriptions.EnsureSubscriberAsync(Subscriber("telegram:-1009002", isGroup: true));
        var item = Item("src", 1);
        await stores.Tickers.CommitPollAsync(Commit("src", [item], T0, [Alert(oldGroup.Id, item), Alert(supergroup.Id, item)]));

        await stores.Subscriptions.MigrateSubscriberAsync(oldGroup.Id, supergroup);

        var pending = Assert.Single(await stores.Outbox.ClaimDueAsync("d", 10, T0, TimeSpan.FromSeconds(30)));
        Assert.Equal(supergroup.Id, pending.SubscriberId);
    }

    private static long Apply(SubscriptionChanges changes, Dictionary<long, Subscription> index)
    {
        foreach (var id in changes.Removed)
        {
            index.Remove(id);
        }

        foreach (var subscription in changes.Added)
        {
            index[subscription.Id] = subscription;
        }

        return changes.Version;
    }
}

public sealed class SqliteSubscriptionStoreTests(SqliteTestDatabase database) : SubscriptionStoreTests(database), IClassFixture<SqliteTestDatabase>;

public sealed class PostgresSubscriptionStoreTests(PostgresTestDatabase database) : SubscriptionStoreTests(database), IClassFixture<PostgresTestDatabase>;
