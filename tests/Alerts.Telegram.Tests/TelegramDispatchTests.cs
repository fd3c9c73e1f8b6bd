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
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 12, 1, 14, 30, 0, TimeSpan.Zero));
    private readonly InMemorySubscriptionStore _store = new();
    private readonly RecordingOutbox _outbox = new();
    private FakeBotApi _api = null!;
    private AlertDispatcher _dispatcher = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeBotApi.StartAsync();
        var options = Build.Options(_api.BaseUrl, o => o.SendTimeout = TimeSpan.FromSeconds(3));
        var channel = new TelegramAlertChannel(TelegramExtensions.CreateClient(options), Options.Create(options), NullLogger<TelegramAlertChannel>.Instance);
        _dispatcher = new AlertDispatcher(
            _outbox,
            _store,
            [channel],
            [new SourceDefinition { Id = "ntv-ukraine", Name = "ntv.de Ukraine-Liveticker" }],
            new DispatchOptions(),
            _time,
            NullDeliveryObserver.Instance,
            NullLogger<AlertDispatcher>.Instance);
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private Subscriber Subscribe(long chatId, bool group = false)
    {
        var subscriber = Build.Chat(chatId, group);
        _store.Subscribers[subscriber.Id] = subscriber;
        return subscriber;
    }

    /// <summary>One instant of the dispatch loop: rounds until nothing more goes out, as one send is in flight at a time by default.</summary>
    private async Task StepAsync()
    {
        for (var calls = -1; calls != _api.Calls.Count;)
        {
            calls = _api.Calls.Count;
            await _dispatcher.StepAsync("test");
            await _dispatcher.DrainAsync();
        }
    }

    private IReadOnlyList<BotApiCall> SendsTo(long chatId) => [.. _api.CallsTo("sendMessage").Where(c => c.ChatId == chatId)];

    [Fact]
    public async Task A429PausesOnlyThatChatForRetryAfterThenTheAlertGoesOut()
    {
        Subscribe(1);
        Subscribe(2);
        var first = true;
        _api.On("sendMessage", call => call.ChatId == 1 && Interlocked.Exchange(ref first, false)
            ? BotApiAnswer.Error(429, "Too Many Requests: retry after 1", """{"retry_after":1}""")
            : BotApiAnswer.Ok($$"""{"message_id":5,"date":1764600000,"chat":{"id":{{call.ChatId}},"type":"private"} }"""));
        var a = _outbox.Add(Build.Alert() with { SubscriberId = "telegram:1" });
        var b = _outbox.Add(Build.Alert() with { SubscriberId = "telegram:2" });

        await StepAsync();

        Assert.True(_outbox.Status(b) == RecordingOutbox.Sent, $"{_outbox.Status(b)} {_outbox.Reason(b)} {string.Join(",", _api.Calls.Select(c => c.Method + c.ChatId))}"); // the other chat is not stalled
        Assert.Equal(RecordingOutbox.Pending, _outbox.Status(a));
        Assert.Single(SendsTo(1));

        _time.Advance(TimeSpan.FromMilliseconds(900));
        await StepAsync();
        Assert.Single(SendsTo(1)); // still inside retry_after

        _time.Advance(TimeSpan.FromMilliseconds(200));
        await StepAsync();
        Assert.Equal(2, SendsTo(1).Count);
        Assert.Equal(RecordingOutbox.Sent, _outbox.Status(a));
    }

    [Fact]
    public async Task ABlockedBotDeactivatesTheChatAndFailsItsAlerts()
    {
        Subscribe(3);
        _api.On("sendMessage", BotApiAnswer.Error(403, "Forbidden: bot was blocked by the user"));
        var a = _outbox.Add(Build.Alert() with { SubscriberId = "telegram:3" });
        var b = _outbox.Add(Build.Alert() with { SubscriberId = "telegram:3", ItemKey = "k2" });

        await StepAsync();
        _time.Advance(TimeSpan.FromSeconds(2));
        await StepAsync();

        Assert.False(_store.Subscribers["telegram:3"].Active);
        Assert.Equal(RecordingOutbox.Failed, _outbox.Status(a));
        Assert.Contains("blocked", _outbox.Reason(a), StringComparison.Ordinal);
        Assert.Equal(RecordingOutbox.Failed, _outbox.Status(b));
        Assert.Single(SendsTo(3)); // the second alert is not even tried
    }

    [Fact]
    public async Task AMigratedGroupGetsTheAlertAtItsNewSupergroupId()
    {
        Subscribe(-4711, group: true);
        _api.On("sendMessage", call => call.ChatId == -4711
            ? BotApiAnswer.Error(400, "Bad Request: group chat was upgraded to a supergroup chat", """{"migrate_to_chat_id":-1004711}""")
            : BotApiAnswer.Ok($$"""{"message_id":9,"date":1764600000,"chat":{"id":{{call.ChatId}},"type":"supergroup","title":"G"} }"""));
        var a = _outbox.Add(Build.Alert() with { SubscriberId = "telegram:-4711" });

        await StepAsync();
        await StepAsync();

        Assert.Contains("migrate telegram:-4711 -> telegram:-1004711", _store.Calls);
        Assert.Single(SendsTo(-1004711));
        Assert.Equal(RecordingOutbox.Sent, _outbox.Status(a));
    }

    [Fact]
    public async Task AServerErrorIsRetriedLaterWithBackoff()
    {
        Subscribe(4);
        _api.On("sendMessage", BotApiAnswer.Error(500, "Internal Server Error"));
        var a = _outbox.Add(Build.Alert() with { SubscriberId = "telegram:4" });

        await StepAsync();

        Assert.Equal(RecordingOutbox.Pending, _outbox.Status(a));
        Assert.Equal(1, _outbox.Attempts(a));
        Assert.Equal(_time.GetUtcNow() + new DispatchOptions().RetryDelay(1), _outbox.NotBefore(a));
    }

    [Fact]
    public async Task ATimeoutIsRetriedLaterAndNothingIsMarkedSent()
    {
        Subscribe(5);
        _api.On("sendMessage", BotApiAnswer.Ok("{}") with { Delay = TimeSpan.FromSeconds(20) });
        var a = _outbox.Add(Build.Alert() with { SubscriberId = "telegram:5" });

        await StepAsync();

        Assert.Equal(RecordingOutbox.Pending, _outbox.Status(a));
        Assert.Equal(1, _outbox.Attempts(a));
        Assert.Contains("timed out", _outbox.Reason(a), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOverlongEntryIsDeliveredShortened()
    {
        _store.Subscribers["telegram:6"] = Subscribe(6) with { LongFormat = true };
        var a = _outbox.Add(Build.Alert(body: string.Join(' ', Enumerable.Repeat("Drohnen über Kiew <&>", 3000))) with { SubscriberId = "telegram:6" });

        await StepAsync();

        Assert.Equal(RecordingOutbox.Sent, _outbox.Status(a));
        Assert.InRange(FakeBotApi.VisibleLength(Assert.Single(SendsTo(6)).Text!), 3500, 4096);
    }

    [Fact]
    public async Task ARejectedMessageEndsAsFailedWithTheReason()
    {
        Subscribe(7);
        _api.On("sendMessage", BotApiAnswer.Error(400, "Bad Request: can't parse entities"));
        var a = _outbox.Add(Build.Alert() with { SubscriberId = "telegram:7" });

        await StepAsync();

        Assert.Equal(RecordingOutbox.Failed, _outbox.Status(a));
        Assert.Contains("can't parse entities", _outbox.Reason(a), StringComparison.Ordinal);
        Assert.True(_store.Subscribers["telegram:7"].Active);
    }
}
