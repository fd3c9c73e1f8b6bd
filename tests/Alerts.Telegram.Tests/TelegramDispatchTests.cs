using System.Collections.Concurrent;
using Alerts.Core.Delivery;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tickers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Alerts.Telegram.Tests;

/// <summary>
/// Fault injection through the whole delivery step: the Core dispatcher sends through the Telegram channel to the
/// fake Bot API, and each fault must have its effect on the outbox row and the subscriber (SPEC §6).
/// </summary>
public sealed class TelegramDispatchTests : IAsyncLifetime
{
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2025, 12, 1, 14, 30, 0, TimeSpan.Zero));
    private readonly InMemorySubscriptionStore store = new();
    private readonly RecordingOutbox outbox = new();
    private FakeBotApi api = null!;
    private AlertDispatcher dispatcher = null!;

    public async Task InitializeAsync()
    {
        api = await FakeBotApi.StartAsync();
        var options = Build.Options(api.BaseUrl, o => o.SendTimeout = TimeSpan.FromSeconds(3));
        var channel = new TelegramAlertChannel(TelegramExtensions.CreateClient(options), Options.Create(options), NullLogger<TelegramAlertChannel>.Instance);
        dispatcher = new AlertDispatcher(
            outbox,
            store,
            [channel],
            [new SourceDefinition { Id = "ntv-ukraine", Name = "ntv.de Ukraine-Liveticker" }],
            new DispatchOptions(),
            time,
            NullDeliveryObserver.Instance,
            NullLogger<AlertDispatcher>.Instance);
    }

    public async Task DisposeAsync() => await api.DisposeAsync();

    private Subscriber Subscribe(long chatId, bool group = false)
    {
        var subscriber = Build.Chat(chatId, group);
        store.Subscribers[subscriber.Id] = subscriber;
        return subscriber;
    }

    /// <summary>One instant of the dispatch loop: rounds until nothing more goes out, as one send is in flight at a time by default.</summary>
    private async Task StepAsync()
    {
        for (var calls = -1; calls != api.Calls.Count;)
        {
            calls = api.Calls.Count;
            await dispatcher.StepAsync("test");
            await dispatcher.DrainAsync();
        }
    }

    private IReadOnlyList<BotApiCall> SendsTo(long chatId) => [.. api.CallsTo("sendMessage").Where(c => c.ChatId == chatId)];

    [Fact]
    public async Task A429PausesOnlyThatChatForRetryAfterThenTheAlertGoesOut()
    {
        Subscribe(1);
        Subscribe(2);
        var first = true;
        api.On("sendMessage", call => call.ChatId == 1 && Interlocked.Exchange(ref first, false)
            ? BotApiAnswer.Error(429, "Too Many Requests: retry after 1", """{"retry_after":1}""")
            : BotApiAnswer.Ok($$"""{"message_id":5,"date":1764600000,"chat":{"id":{{call.ChatId}},"type":"private"} }"""));
        var a = outbox.Add(Build.Alert() with { SubscriberId = "telegram:1" });
        var b = outbox.Add(Build.Alert() with { SubscriberId = "telegram:2" });

        await StepAsync();

        Assert.True(outbox.Status(b) == RecordingOutbox.Sent, $"{outbox.Status(b)} {outbox.Reason(b)} {string.Join(",", api.Calls.Select(c => c.Method + c.ChatId))}"); // the other chat is not stalled
        Assert.Equal(RecordingOutbox.Pending, outbox.Status(a));
        Assert.Single(SendsTo(1));

        time.Advance(TimeSpan.FromMilliseconds(900));
        await StepAsync();
        Assert.Single(SendsTo(1)); // still inside retry_after

        time.Advance(TimeSpan.FromMilliseconds(200));
        await StepAsync();
        Assert.Equal(2, SendsTo(1).Count);
        Assert.Equal(RecordingOutbox.Sent, outbox.Status(a));
    }

    [Fact]
    public async Task ABlockedBotDeactivatesTheChatAndFailsItsAlerts()
    {
        Subscribe(3);
        api.On("sendMessage", BotApiAnswer.Error(403, "Forbidden: bot was blocked by the user"));
        var a = outbox.Add(Build.Alert() with { SubscriberId = "telegram:3" });
        var b = outbox.Add(Build.Alert() with { SubscriberId = "telegram:3", ItemKey = "k2" });

        await StepAsync();
        time.Advance(TimeSpan.FromSeconds(2));
        await StepAsync();

        Assert.False(store.Subscribers["telegram:3"].Active);
        Assert.Equal(RecordingOutbox.Failed, outbox.Status(a));
        Assert.Contains("blocked", outbox.Reason(a), StringComparison.Ordinal);
        Assert.Equal(RecordingOutbox.Failed, outbox.Status(b));
        Assert.Single(SendsTo(3)); // the second alert is not even tried
    }

    [Fact]
    public async Task AMigratedGroupGetsTheAlertAtItsNewSupergroupId()
    {
        Subscribe(-4711, group: true);
        api.On("sendMessage", call => call.ChatId == -4711
            ? BotApiAnswer.Error(400, "Bad Request: group chat was upgraded to a supergroup chat", """{"migrate_to_chat_id":-1004711}""")
            : BotApiAnswer.Ok($$"""{"message_id":9,"date":1764600000,"chat":{"id":{{call.ChatId}},"type":"supergroup","title":"G"} }"""));
        var a = outbox.Add(Build.Alert() with { SubscriberId = "telegram:-4711" });

        await StepAsync();
        await StepAsync();

        Assert.Contains("migrate telegram:-4711 -> telegram:-1004711", store.Calls);
        Assert.Single(SendsTo(-1004711));
        Assert.Equal(RecordingOutbox.Sent, outbox.Status(a));
    }

    [Fact]
    public async Task AServerErrorIsRetriedLaterWithBackoff()
    {
        Subscribe(4);
        api.On("sendMessage", BotApiAnswer.Error(500, "Internal Server Error"));
        var a = outbox.Add(Build.Alert() with { SubscriberId = "telegram:4" });

        await StepAsync();

        Assert.Equal(RecordingOutbox.Pending, outbox.Status(a));
        Assert.Equal(1, outbox.Attempts(a));
        Assert.Equal(time.GetUtcNow() + new DispatchOptions().RetryDelay(1), outbox.NotBefore(a));
    }

    [Fact]
    public async Task ATimeoutIsRetriedLaterAndNothingIsMarkedSent()
    {
        Subscribe(5);
        api.On("sendMessage", BotApiAnswer.Ok("{}") with { Delay = TimeSpan.FromSeconds(20) });
        var a = outbox.Add(Build.Alert() with { SubscriberId = "telegram:5" });

        await StepAsync();

        Assert.Equal(RecordingOutbox.Pending, outbox.Status(a));
        Assert.Equal(1, outbox.Attempts(a));
        Assert.Contains("timed out", outbox.Reason(a), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOverlongEntryIsDeliveredShortened()
    {
        store.Subscribers["telegram:6"] = Subscribe(6) with { LongFormat = true };
        var a = outbox.Add(Build.Alert(body: string.Join(' ', Enumerable.Repeat("Drohnen über Kiew <&>", 3000))) with { SubscriberId = "telegram:6" });

        await StepAsync();

        Assert.Equal(RecordingOutbox.Sent, outbox.Status(a));
        Assert.InRange(FakeBotApi.VisibleLength(Assert.Single(SendsTo(6)).Text!), 3500, 4096);
    }

    [Fact]
    public async Task ARejectedMessageEndsAsFailedWithTheReason()
    {
        Subscribe(7);
        api.On("sendMessage", BotApiAnswer.Error(400, "Bad Request: can't parse entities"));
        var a = outbox.Add(Build.Alert() with { SubscriberId = "telegram:7" });

        await StepAsync();

        Assert.Equal(RecordingOutbox.Failed, outbox.Status(a));
        Assert.Contains("can't parse entities", outbox.Reason(a), StringComparison.Ordinal);
        Assert.True(store.Subscribers["telegram:7"].Active);
    }
}
