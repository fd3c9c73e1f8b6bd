using Alerts.Core.Delivery;
using Alerts.Core.Diffing;
using Alerts.Core.Tickers;
using Alerts.Host.Tests.Fakes;

namespace Alerts.Host.Tests.Delivery;

/// <summary>
/// An alert follows its entry (SPEC §4): the dispatcher sends an edit of the alert's message through the channel, within
/// the same limits as alerts (SPEC §6), alone, and gives it up quietly when the platform cannot edit the message.
/// </summary>
public sealed class EditDispatchTests
{
    private static readonly ChannelLimits TelegramLike = new(
        new RateLimitRule(30, TimeSpan.FromSeconds(1)),
        new RateLimitRule(1, TimeSpan.FromSeconds(1)),
        new RateLimitRule(20, TimeSpan.FromMinutes(1)));

    [Fact]
    public async Task AnUpdatedEntryEditsTheMessageItsAlertWentOutInAndSendsNothingNew()
    {
        var h = new DispatchHarness(ChannelLimits.None);
        await h.AddSubscriberAsync("a");
        var id = Assert.Single(h.Enqueue([("test:a", "k1")]));
        await h.RunUntilAsync(h.AllSettled, TimeSpan.FromMinutes(1));

        await UpdateAsync(h, "k1", "Korrigierte Schlagzeile");
        await h.RunUntilAsync(() => h.AllSettled() && !h.Channel.Edits.IsEmpty, TimeSpan.FromMinutes(1));

        Assert.Single(h.Channel.Sends);
        var edit = Assert.Single(h.Channel.Edits);
        Assert.Equal(id, edit.Id);
        Assert.Equal(new PlatformMessage("a", $"m{id}"), edit.Message);
        Assert.Equal("Korrigierte Schlagzeile", edit.Headline);
        Assert.Equal(OutboxStatus.Sent, Assert.Single(h.Store.Rows).Status);
    }

    [Fact]
    public async Task AnEditWaitsForTheChatsOwnLimitLikeAnAlert()
    {
        var h = new DispatchHarness(TelegramLike);
        await h.AddSubscriberAsync("a");
        h.Enqueue([("test:a", "k1")]);
        await h.RunUntilAsync(h.AllSettled, TimeSpan.FromMinutes(1));
        var sentAt = Assert.Single(h.Channel.Sends).At;

        await UpdateAsync(h, "k1", "Sofort korrigiert");
        await h.RunUntilAsync(() => !h.Channel.Edits.IsEmpty, TimeSpan.FromMinutes(1));

        Assert.Equal(sentAt + TimeSpan.FromSeconds(1), Assert.Single(h.Channel.Edits).At);
    }

    [Fact]
    public async Task AnEditThePlatformRefusesLeavesTheAlertSentAndTheSubscriberAlone()
    {
        var h = new DispatchHarness(ChannelLimits.None);
        var subscriber = await h.AddSubscriberAsync("a");
        h.Enqueue([("test:a", "k1")]);
        await h.RunUntilAsync(h.AllSettled, TimeSpan.FromMinutes(1));
        h.Channel.Rules.Add((alert, _) => alert.IsEdit ? new SendResult.Permanent("400: Bad Request: message to edit not found") : null);

        await UpdateAsync(h, "k1", "Korrigiert");
        await h.RunUntilAsync(() => h.AllSettled() && !h.Channel.Edits.IsEmpty, TimeSpan.FromMinutes(1));

        var row = Assert.Single(h.Store.Rows);
        Assert.Equal(OutboxStatus.Sent, row.Status);
        Assert.Contains("message to edit not found", row.Reason, StringComparison.Ordinal);
        Assert.True((await h.Store.GetSubscriberAsync(subscriber.Id))!.Active);
        Assert.Single(h.Channel.Sends);
    }

    [Fact]
    public async Task AnEditAndNewAlertsWaitingForOneChatEachGoOutOnceAndTheEditNeverInABacklog()
    {
        var h = new DispatchHarness(TelegramLike);
        h.Channel.MaxCombined = 10;
        await h.AddSubscriberAsync("a");
        var first = Assert.Single(h.Enqueue([("test:a", "k1")]));
        await h.RunUntilAsync(h.AllSettled, TimeSpan.FromMinutes(1));

        // The entry is corrected while three new alerts for the chat wait for its limit.
        await UpdateAsync(h, "k1", "Korrigiert");
        var waiting = h.Enqueue([("test:a", "k2"), ("test:a", "k3"), ("test:a", "k4")]);
        h.Dispatcher.Signal();
        await h.RunUntilAsync(() => h.AllSettled() && !h.Channel.Edits.IsEmpty, TimeSpan.FromMinutes(1));

        Assert.Equal(first, Assert.Single(h.Channel.Edits).Id);
        Assert.DoesNotContain(h.Channel.Messages.Skip(1), m => m.Ids.Contains(first));
        Assert.Equal(waiting, h.Channel.Messages.Skip(1).SelectMany(m => m.Ids).Order());
        Assert.All(h.Store.Rows, r => Assert.Equal(OutboxStatus.Sent, r.Status));
    }

    [Fact]
    public void ABacklogHeldBackByTheChatsLimitGoesOutCombinedUpToTheEditWhichGoesAlone()
    {
        var channel = new RecordingChannel(TimeProvider.System, TelegramLike) { MaxCombined = 10 };
        var to = new Core.Subscriptions.Subscriber("test:a", "test", "a");
        var schedule = new DeliverySchedule(new DeliveryRateLimiter(), maxInFlight: 8);
        var now = new DateTimeOffset(2025, 12, 1, 12, 0, 0, TimeSpan.Zero);
        OutboxAlert Row(long id, bool edit) =>
            new(id, to.Id, "src", $"k{id}", now, "H", "B", null, "q", ["q"], now, Message: edit ? new PlatformMessage("a", $"m{id}") : null);
        foreach (var (id, edit) in new[] { (1L, false), (2L, false), (3L, true), (4L, false), (5L, false) })
        {
            schedule.Enqueue(new PendingAlert(Row(id, edit), to, channel), heldBack: true);
        }

        var taken = new List<IReadOnlyList<long>>();
        // Looked at every half second, as the dispatcher looks whenever a send settles or a limit opens.
        for (var half = 0; half < 10 && schedule.HeldCount > 0; half++)
        {
            var next = DateTimeOffset.MaxValue;
            foreach (var message in schedule.TakeReady(now.AddSeconds(half / 2.0), ref next))
            {
                taken.Add([.. message.Rows.Select(r => r.Alert.Id)]);
                schedule.Forget(message.Rows);
                schedule.Finished(message, roundTrip: null);
            }
        }

        Assert.Equal([[1L, 2L], [3L], [4L, 5L]], taken);
    }

    /// <summary>The next poll shows the entry <paramref name="key"/> of source <c>src</c> with a new headline, as the pipeline commits it.</summary>
    private static Task UpdateAsync(DispatchHarness h, string key, string headline)
    {
        var now = h.Time.GetUtcNow();
        var item = new TickerItem("src", key, now, headline, "Body", null, ItemIdentity.ContentHash(headline, "Body"));
        return h.Store.CommitPollAsync(new PollCommit("src", [item], [], null, null, now, null, [new ItemUpdate(item, key)], now - PollPipeline.EditWindow));
    }
}
