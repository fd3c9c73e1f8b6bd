using System.Collections.Concurrent;
using Alerts.Core.Delivery;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tickers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Alerts.Telegram.Tests;

/// <summary>
/// SPEC §6 in real time against a fake Bot API that answers like the real one does, after 100 or 250 ms: the
/// platform's limit, not the round trip, sets the pace; replies and alerts share the limits; replies go first.
/// Bounds are generous where a busy 2-core machine adds delay, and exact where the limiter decides (no second ever
/// holds more than 30 messages, no chat gets two within a second). Measured in real time where the messages arrive, so
/// the class runs alone (<see cref="RealTimeTests"/>): another test class's CPU load would delay the fake server's
/// clock, not the sender.
/// </summary>
[Collection(RealTimeTests.Name)]
public sealed class TelegramPaceTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Chats = 300;
    private readonly ConcurrentQueue<(long Chat, DateTimeOffset At, string Text)> sent = new();
    private readonly RecordingCommands commands = new();
    private readonly InMemorySubscriptionStore store = new();
    private readonly InMemoryKeyValueStore keyValues = new();
    private readonly RecordingOutbox outbox = new();
    private readonly DeliveryRateLimiter limiter = new();
    private FakeBotApi api = null!;

    public async Task InitializeAsync() => api = await FakeBotApi.StartAsync();

    public async Task DisposeAsync() => await api.DisposeAsync();

    [Theory]
    [InlineData(100)]
    [InlineData(250)]
    public async Task ThreeHundredChatsThatSubscribeAtOnceAreAllAnsweredAtThePlatformsPace(int roundTripMs)
    {
        AnswerSendsAfter(roundTripMs);
        var updates = Enumerable.Range(1, Chats).Select(chat => Updates.MessageJson("/subscribe Drohne*", chatId: chat, userId: chat, updateId: chat)).ToArray();
        QueueUpdates(updates);
        var (service, _) = Build();

        await service.StartAsync(CancellationToken.None);
        try
        {
            var delivered = await api.WaitForAsync("getUpdates", c => (c.Body["offset"]?.GetValue<int>() ?? 0) == 0);
            var started = DateTimeOffset.UtcNow;
            await WaitUntilAsync(() => sent.Count >= Chats, TimeSpan.FromSeconds(60));
            var took = sent.Max(s => s.At) - started;
            output.WriteLine($"{roundTripMs} ms round trip: {Chats} replies in {took.TotalSeconds:F1} s (allowed {Chats / 30.0 * 1.2:F1} s)");

            Assert.Equal(Chats, sent.Select(s => s.Chat).Distinct().Count());
            Assert.True(took <= TimeSpan.FromSeconds(Chats / 30.0 * 1.2), $"took {took}");
            AssertWithinLimits();
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    [Theory]
    [InlineData(100)]
    [InlineData(250)]
    public async Task ThreeHundredAlertsGoOutAtTwentySevenASecondOrMoreAndRepliesMeanwhileGoFirst(int roundTripMs)
    {
        AnswerSendsAfter(roundTripMs);
        for (var chat = 1; chat <= Chats; chat++)
        {
            var to = Alerts.Telegram.Tests.Build.Chat(chat);
            store.Subscribers[to.Id] = to;
            outbox.Add(Alerts.Telegram.Tests.Build.Alert() with { SubscriberId = to.Id });
        }

        // Thirty people write while the alerts go out (other chats): their replies must not wait for the backlog.
        var replies = Enumerable.Range(1, 30).Select(i => Updates.MessageJson("/list", chatId: 10_000 + i, userId: i, updateId: i)).ToArray();
        var (service, dispatcher) = Build();
        using var stop = new CancellationTokenSource();
        var run = dispatcher.RunAsync("test", () => true, stop.Token);
        try
        {
            await WaitUntilAsync(() => sent.Count >= 60, TimeSpan.FromSeconds(30));
            var asked = DateTimeOffset.UtcNow;
            QueueUpdates(replies);
            await service.StartAsync(CancellationToken.None);
            await WaitUntilAsync(() => outbox.CountWith(RecordingOutbox.Sent) == Chats && sent.Count(s => s.Chat > 10_000) == 30, TimeSpan.FromSeconds(60));

            var alerts = sent.Where(s => s.Chat <= Chats).Select(s => s.At).Order().ToArray();
            var answers = sent.Where(s => s.Chat > 10_000).Select(s => s.At).ToArray();

            // The pace of everything sent while the alerts went out: the replies took some of the 30 permits a second.
            var messages = sent.Count(s => s.At >= alerts[0] && s.At <= alerts[^1]);
            var perSecond = (messages - 1) / (alerts[^1] - alerts[0]).TotalSeconds;
            var lastAnswer = answers.Max() - asked;
            output.WriteLine($"{roundTripMs} ms round trip: {Chats} alerts and 30 replies at {perSecond:F1} messages/s; the last reply {lastAnswer.TotalSeconds:F1} s after they were asked");

            Assert.True(perSecond >= 27, $"{perSecond:F1} messages per second");
            Assert.True(lastAnswer < TimeSpan.FromSeconds(5), $"last reply after {lastAnswer}");
            AssertWithinLimits();
        }
        finally
        {
            await stop.CancelAsync();
            await run;
            await service.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task AReplyThatMeetsA429ArrivesAfterRetryAfter()
    {
        var attempts = new ConcurrentQueue<DateTimeOffset>();
        api.On("sendMessage", call =>
        {
            attempts.Enqueue(DateTimeOffset.UtcNow);
            return attempts.Count == 1
                ? BotApiAnswer.Error(429, "Too Many Requests: retry after 2", """{"retry_after":2}""")
                : BotApiAnswer.Ok($$"""{"message_id":7,"date":1764600000,"chat":{"id":{{call.ChatId}},"type":"private"} }""");
        });
        QueueUpdates([Updates.MessageJson("/list", chatId: 5, updateId: 1)]);
        var (service, _) = Build();

        await service.StartAsync(CancellationToken.None);
        try
        {
            await WaitUntilAsync(() => attempts.Count >= 2, TimeSpan.FromSeconds(15));
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }

        var times = attempts.ToArray();
        Assert.Equal(2, times.Length);
        Assert.InRange((times[1] - times[0]).TotalSeconds, 1.95, 6);
        Assert.Contains("1. Drohne*", api.CallsTo("sendMessage")[^1].Text, StringComparison.Ordinal);
    }

    private (TelegramBotService Service, AlertDispatcher Dispatcher) Build()
    {
        var options = Options.Create(Alerts.Telegram.Tests.Build.Options(api.BaseUrl, o => o.PollingTimeoutSeconds = 0));
        var bot = TelegramExtensions.CreateClient(options.Value);
        var channel = new TelegramAlertChannel(bot, options, NullLogger<TelegramAlertChannel>.Instance);
        var outbound = new TelegramOutbound(bot, channel, limiter, TimeProvider.System, options, NullLogger<TelegramOutbound>.Instance);
        var identity = new TelegramBotIdentity(bot);
        var handler = new TelegramUpdateHandler(bot, commands, store, identity, new ChatAdminCache(bot, TimeProvider.System, options), options, NullLogger<TelegramUpdateHandler>.Instance, outbound);
        var processor = new TelegramUpdateProcessor(handler, keyValues, NullLogger<TelegramUpdateProcessor>.Instance);
        var service = new TelegramBotService(bot, processor, identity, options, TimeProvider.System, NullLogger<TelegramBotService>.Instance);
        var dispatcher = new AlertDispatcher(
            outbox, store, [channel], [new SourceDefinition { Id = "ntv-ukraine", Name = "ntv.de Ukraine-Liveticker" }],
            new DispatchOptions { IdlePollInterval = TimeSpan.FromMilliseconds(200) }, TimeProvider.System, NullDeliveryObserver.Instance,
            NullLogger<AlertDispatcher>.Instance, limiter);
        return (service, dispatcher);
    }

    /// <summary>sendMessage answers after the round trip; each message is recorded when it reaches the API.</summary>
    private void AnswerSendsAfter(int roundTripMs) =>
        api.On("sendMessage", call =>
        {
            sent.Enqueue((call.ChatId, DateTimeOffset.UtcNow, call.Text ?? ""));
            return BotApiAnswer.Ok($$"""{"message_id":1,"date":1764600000,"chat":{"id":{{call.ChatId}},"type":"private"} }""") with { Delay = TimeSpan.FromMilliseconds(roundTripMs) };
        });

    /// <summary>getUpdates as Telegram answers it: at most <c>limit</c> updates from the offset on.</summary>
    private void QueueUpdates(string[] updatesJson)
    {
        var parsed = updatesJson.Select(json => (Update: Updates.Parse(json), Json: json)).ToArray();
        api.On("getUpdates", call =>
        {
            var offset = call.Body["offset"]?.GetValue<int>() ?? 0;
            var limit = call.Body["limit"]?.GetValue<int>() ?? 100;
            var pending = parsed.Where(u => u.Update.Id >= offset).Take(limit).Select(u => u.Json);
            return BotApiAnswer.Ok("[" + string.Join(',', pending) + "]");
        });
    }

    private void AssertWithinLimits()
    {
        var all = sent.ToArray();
        var most = MaxInAnyWindow(all.Select(s => s.At), TimeSpan.FromSeconds(1));
        Assert.True(most <= 30, $"{most} messages within one second");
        foreach (var chat in all.GroupBy(s => s.Chat))
        {
            Assert.Equal(1, MaxInAnyWindow(chat.Select(s => s.At), TimeSpan.FromSeconds(1)));
        }
    }

    /// <summary>
    /// The most messages in any window of the given length, measured where they arrive. The window is 100 ms shorter:
    /// requests leave at their permit times (exact, see DispatcherTests) and reach the fake after a transit time that
    /// varies on a busy machine, so a burst delayed in transit can land next to the following second's on-time one.
    /// </summary>
    private static int MaxInAnyWindow(IEnumerable<DateTimeOffset> times, TimeSpan window)
    {
        var sorted = times.Order().ToArray();
        var max = 0;
        var lo = 0;
        for (var hi = 0; hi < sorted.Length; hi++)
        {
            while (sorted[hi] - sorted[lo] >= window - TimeSpan.FromMilliseconds(100))
            {
                lo++;
            }

            max = Math.Max(max, hi - lo + 1);
        }

        return max;
    }

    private static async Task WaitUntilAsync(Func<bool> done, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (!done())
        {
            Assert.True(DateTime.UtcNow < until, "timed out");
            await Task.Delay(20);
        }
    }
}

/// <summary>Tests that measure pace in real time: one class at a time, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealTimeTests
{
    public const string Name = "real time";
}
