using Alerts.Core.Delivery;
using Alerts.Core.Diffing;
using Alerts.Core.Tickers;
using Alerts.Storage.Tests.Infrastructure;
using static Alerts.Storage.Tests.Infrastructure.Builders;

namespace Alerts.Storage.Tests;

/// <summary>
/// An alert follows its entry (SPEC §4): the outbox keeps where the platform put a sent alert, and a later update of the
/// entry makes the row due again as an edit of that message, within 48 hours of the alert, never as a second alert.
/// </summary>
public abstract class AlertEditStoreTests(TestDatabase database) : StoreTestBase(database)
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Window = PollPipeline.EditWindow;
    private static readonly PlatformMessage Message = new("-1001234", "4711");

    [SkippableFact]
    public async Task AnUpdateOfAnAlertSentWithinTheWindowMakesItDueAsAnEditOfItsMessage()
    {
        await using var stores = await OpenFreshStoresAsync();
        var (item, sent) = await SentAlertAsync(stores, Message);

        var corrected = Corrected(item, "Drohnen über Kiew abgeschossen");
        await stores.Tickers.CommitPollAsync(Update(item, corrected, T0.AddHours(47)));

        var edit = Assert.Single(await stores.Outbox.ClaimDueAsync("d", 10, T0.AddHours(47), Lease));
        Assert.Equal(sent.Id, edit.Id);
        Assert.True(edit.IsEdit);
        Assert.Equal(Message, edit.Message);
        Assert.Equal("Drohnen über Kiew abgeschossen", edit.Headline);
        Assert.Equal(corrected.Body, edit.Body);
        Assert.Equal(sent.Revision + 1, edit.Revision);
        Assert.Equal(0, edit.Attempts);
        Assert.Equal(sent.Query, edit.Query);
    }

    [SkippableFact]
    public async Task AnUpdateMoreThan48HoursAfterTheAlertLeavesItAlone()
    {
        await using var stores = await OpenFreshStoresAsync();
        var (item, _) = await SentAlertAsync(stores, Message);

        await stores.Tickers.CommitPollAsync(Update(item, Corrected(item, "Zu spät korrigiert"), T0.AddSeconds(1) + Window + TimeSpan.FromMinutes(1)));

        Assert.Empty(await stores.Outbox.ClaimDueAsync("d", 10, T0.AddDays(5), Lease));
        Assert.Equal(1, (await stores.Outbox.CountByStatusAsync())[OutboxStatus.Sent]);
    }

    [SkippableFact]
    public async Task AnEditThatWentOutDoesNotExtendTheWindow()
    {
        await using var stores = await OpenFreshStoresAsync();
        var (item, _) = await SentAlertAsync(stores, Message);
        var first = Corrected(item, "Erste Korrektur");
        await stores.Tickers.CommitPollAsync(Update(item, first, T0.AddHours(40)));
        var edit = Assert.Single(await stores.Outbox.ClaimDueAsync("d", 10, T0.AddHours(40), Lease));
        await stores.Outbox.MarkSentAsync(edit.Id, T0.AddHours(40), new SentReceipt(edit.Revision, edit.Message));

        // 49 hours after the alert, 9 after its edit: too late.
        await stores.Tickers.CommitPollAsync(Update(first, Corrected(first, "Zweite Korrektur"), T0.AddHours(49)));

        Assert.Empty(await stores.Outbox.ClaimDueAsync("d", 10, T0.AddDays(5), Lease));
    }

    [SkippableFact]
    public async Task AnUpdateOfAnAlertNotSentYetChangesWhatGoesOutAndIsNoEdit()
    {
        await using var stores = await OpenFreshStoresAsync();
        var item = Item("src", 1, "Drohnen über Kiw");
        await stores.Tickers.CommitPollAsync(Commit("src", [item], T0, [Alert("telegram:1", item)]));

        await stores.Tickers.CommitPollAsync(Update(item, Corrected(item, "Drohnen über Kiew"), T0.AddSeconds(1)));

        var alert = Assert.Single(await stores.Outbox.ClaimDueAsync("d", 10, T0.AddSeconds(1), Lease));
        Assert.False(alert.IsEdit);
        Assert.Equal("Drohnen über Kiew", alert.Headline);
    }

    [SkippableFact]
    public async Task AnUpdateWhileTheAlertIsInFlightLeavesItDueAsAnEditOfTheMessageJustSent()
    {
        await using var stores = await OpenFreshStoresAsync();
        var item = Item("src", 1, "Drohnen über Kiw");
        await stores.Tickers.CommitPollAsync(Commit("src", [item], T0, [Alert("telegram:1", item)]));
        var inFlight = Assert.Single(await stores.Outbox.ClaimDueAsync("d", 10, T0, Lease));

        await stores.Tickers.CommitPollAsync(Update(item, Corrected(item, "Drohnen über Kiew"), T0.AddMilliseconds(100)));
        await stores.Outbox.MarkSentAsync(inFlight.Id, T0.AddMilliseconds(200), new SentReceipt(inFlight.Revision, Message));

        var edit = Assert.Single(await stores.Outbox.ClaimDueAsync("d", 10, T0.AddMilliseconds(200), Lease));
        Assert.Equal(Message, edit.Message);
        Assert.Equal("Drohnen über Kiew", edit.Headline);
        await stores.Outbox.MarkSentAsync(edit.Id, T0.AddSeconds(1), new SentReceipt(edit.Revision, edit.Message));
        Assert.Empty(await stores.Outbox.ClaimDueAsync("d", 10, T0.AddDays(1), Lease));
    }

    [SkippableFact]
    public async Task AnAlertSentWithoutAMessageIdIsNeverEditedNorSentAgain()
    {
        await using var stores = await OpenFreshStoresAsync();
        var item = Item("src", 1, "Drohnen über Kiw");
        await stores.Tickers.CommitPollAsync(Commit("src", [item], T0, [Alert("telegram:1", item)]));
        var inFlight = Assert.Single(await stores.Outbox.ClaimDueAsync("d", 10, T0, Lease));

        // Part of a combined backlog message (or a channel that names no message): an update during the send and one
        // after it change nothing.
        await stores.Tickers.CommitPollAsync(Update(item, Corrected(item, "Drohnen über Kiew"), T0.AddMilliseconds(100)));
        await stores.Outbox.MarkSentAsync(inFlight.Id, T0.AddMilliseconds(200), new SentReceipt(inFlight.Revision, null));
        var corrected = Corrected(item, "Drohnen über Kiew");
        await stores.Tickers.CommitPollAsync(Update(corrected, Corrected(item, "Drohnen über Kiew!"), T0.AddMinutes(1)));

        Assert.Empty(await stores.Outbox.ClaimDueAsync("d", 10, T0.AddDays(1), Lease));
        Assert.Equal(1, (await stores.Outbox.CountByStatusAsync())[OutboxStatus.Sent]);
    }

    [SkippableFact]
    public async Task AFailedEditLeavesTheAlertSentWithTheReason()
    {
        await using var stores = await OpenFreshStoresAsync();
        var (item, _) = await SentAlertAsync(stores, Message);
        await stores.Tickers.CommitPollAsync(Update(item, Corrected(item, "Korrigiert"), T0.AddHours(1)));
        var edit = Assert.Single(await stores.Outbox.ClaimDueAsync("d", 10, T0.AddHours(1), Lease));

        await stores.Outbox.MarkFailedAsync(edit.Id, "400: Bad Request: message to edit not found", T0.AddHours(1));

        var counts = await stores.Outbox.CountByStatusAsync();
        Assert.Equal(1, counts[OutboxStatus.Sent]);
        Assert.Equal(0, counts[OutboxStatus.Failed]);
        Assert.Empty(await stores.Outbox.ClaimDueAsync("d", 10, T0.AddDays(1), Lease));
    }

    [SkippableFact]
    public async Task AnEntryWhoseKeyMovedWithTheCorrectionKeepsItsAlertUnderTheNewKey()
    {
        await using var stores = await OpenFreshStoresAsync();
        var (item, _) = await SentAlertAsync(stores, Message);
        var moved = Corrected(item, "Drohnen über Kiew") with { Key = "12:01~moved" };
        await stores.Tickers.CommitPollAsync(Update(item, moved, T0.AddHours(1)));
        var edit = Assert.Single(await stores.Outbox.ClaimDueAsync("d", 10, T0.AddHours(1), Lease));
        Assert.Equal("12:01~moved", edit.ItemKey);
        await stores.Outbox.MarkSentAsync(edit.Id, T0.AddHours(1), new SentReceipt(edit.Revision, edit.Message));

        // The next correction names the entry by its new key, and still finds the alert.
        await stores.Tickers.CommitPollAsync(Update(moved, Corrected(moved, "Drohnen über Kiew abgewehrt"), T0.AddHours(2)));

        Assert.Equal("Drohnen über Kiew abgewehrt", Assert.Single(await stores.Outbox.ClaimDueAsync("d", 10, T0.AddHours(2), Lease)).Headline);
    }

    [SkippableFact]
    public async Task AFailedAlertIsNotRevivedByAnUpdate()
    {
        await using var stores = await OpenFreshStoresAsync();
        var item = Item("src", 1);
        await stores.Tickers.CommitPollAsync(Commit("src", [item], T0, [Alert("telegram:1", item)]));
        var alert = Assert.Single(await stores.Outbox.ClaimDueAsync("d", 10, T0, Lease));
        await stores.Outbox.MarkFailedAsync(alert.Id, "403: Forbidden: bot was blocked by the user", T0);

        await stores.Tickers.CommitPollAsync(Update(item, Corrected(item, "Korrigiert"), T0.AddMinutes(1)));

        Assert.Empty(await stores.Outbox.ClaimDueAsync("d", 10, T0.AddDays(1), Lease));
        Assert.Equal(1, (await stores.Outbox.CountByStatusAsync())[OutboxStatus.Failed]);
    }

    /// <summary>An alert for <c>telegram:1</c>, sent alone at T0+1 s to <paramref name="message"/>.</summary>
    private static async Task<(TickerItem Item, OutboxAlert Sent)> SentAlertAsync(Stores stores, PlatformMessage message)
    {
        var item = Item("src", 1, "Drohnen über Kiw", "Erster Absatz.");
        await stores.Tickers.CommitPollAsync(Commit("src", [item], T0, [Alert("telegram:1", item)]));
        var alert = Assert.Single(await stores.Outbox.ClaimDueAsync("d", 10, T0, Lease));
        await stores.Outbox.MarkSentAsync(alert.Id, T0.AddSeconds(1), new SentReceipt(alert.Revision, message));
        Assert.Empty(await stores.Outbox.ClaimDueAsync("d", 10, T0.AddSeconds(1), Lease));
        return (item, alert);
    }

    private static TickerItem Corrected(TickerItem item, string headline) =>
        item with { Headline = headline, Body = item.Body + " Korrigiert.", ContentHash = ItemIdentity.ContentHash(headline, item.Body + " Korrigiert.") };

    /// <summary>A poll that shows <paramref name="now"/> in place of <paramref name="before"/>, as the pipeline commits it.</summary>
    private static PollCommit Update(TickerItem before, TickerItem now, DateTimeOffset at) =>
        Commit("src", [now], at) with { Updates = [new ItemUpdate(now, before.Key)], EditableSince = at - Window };
}

public sealed class SqliteAlertEditStoreTests(SqliteTestDatabase database) : AlertEditStoreTests(database), IClassFixture<SqliteTestDatabase>;

public sealed class PostgresAlertEditStoreTests(PostgresTestDatabase database) : AlertEditStoreTests(database), IClassFixture<PostgresTestDatabase>;
