using System.Text.Json.Nodes;
using Alerts.Core.Subscriptions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Alerts.Telegram.Tests;

/// <summary>Long polling and start-up against the fake Bot API.</summary>
public sealed class TelegramBotServiceTests : IAsyncLifetime
{
    private readonly RecordingCommands commands = new();
    private readonly InMemorySubscriptionStore store = new();
    private readonly InMemoryKeyValueStore keyValues = new();
    private FakeBotApi api = null!;

    public async Task InitializeAsync() => api = await FakeBotApi.StartAsync();

    public async Task DisposeAsync() => await api.DisposeAsync();

    private TelegramBotService Service(Action<TelegramOptions>? configure = null, Alerts.Core.Delivery.ILeaseStore? leases = null)
    {
        var options = Options.Create(Build.Options(api.BaseUrl, o =>
        {
            o.PollingTimeoutSeconds = 0;
            configure?.Invoke(o);
        }));
        var bot = TelegramExtensions.CreateClient(options.Value);
        var identity = new TelegramBotIdentity(bot);
        var handler = new TelegramUpdateHandler(bot, commands, store, identity, new ChatAdminCache(bot, TimeProvider.System, options), options, NullLogger<TelegramUpdateHandler>.Instance);
        var processor = new TelegramUpdateProcessor(handler, keyValues, NullLogger<TelegramUpdateProcessor>.Instance);
        return new TelegramBotService(bot, processor, identity, options, TimeProvider.System, NullLogger<TelegramBotService>.Instance, leases);
    }

    /// <summary>Answers getUpdates like Telegram: the queued updates from the requested offset on.</summary>
    private void Queue(params (int Id, string Text)[] updates) =>
        api.On("getUpdates", call =>
        {
            var offset = call.Body["offset"]?.GetValue<int>() ?? 0;
            var pending = updates.Where(u => u.Id >= offset).Select(u => Updates.MessageJson(u.Text, updateId: u.Id));
            return BotApiAnswer.Ok("[" + string.Join(',', pending) + "]");
        });

    private static async Task RunUntilAsync(TelegramBotService service, Func<bool> done, TimeSpan? timeout = null)
    {
        await service.StartAsync(CancellationToken.None);
        try
        {
            var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
            while (!done())
            {
                Assert.True(DateTime.UtcNow < until, "timed out waiting for the service");
                await Task.Delay(20);
            }
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task PollsWithTheOffsetAndHandlesEachUpdateOnce()
    {
        Queue((10, "/list"), (11, "/sources"));

        await RunUntilAsync(Service(), () => api.CallsTo("getUpdates").Any(c => c.Body["offset"]?.GetValue<int>() == 12));

        Assert.Equal(["list telegram:42", "sources"], commands.Calls);
        Assert.Equal("11", keyValues.Values[TelegramUpdateProcessor.LastUpdateKey]);
        Assert.Null(api.CallsTo("getUpdates")[0].Body["offset"]);
    }

    [Fact]
    public async Task NeverHandlesAnUpdateTwiceAfterARestart()
    {
        Queue((10, "/list"), (11, "/sources"));
        await RunUntilAsync(Service(), () => commands.Calls.Count == 2);

        // Telegram redelivers what was not confirmed by a later offset: pretend it sends everything again.
        api.On("getUpdates", _ => BotApiAnswer.Ok("[" + Updates.MessageJson("/list", updateId: 10) + "," + Updates.MessageJson("/sources", updateId: 11) + "," + Updates.MessageJson("/pause", updateId: 12) + "]"));
        var before = api.CallsTo("getUpdates").Count;
        var restarted = Service();
        await RunUntilAsync(restarted, () => commands.Calls.Count >= 3);
        await Task.Delay(200);

        Assert.Equal(["list telegram:42", "sources", "pause telegram:42"], commands.Calls);
        Assert.Equal(12, api.CallsTo("getUpdates")[before].Body["offset"]!.GetValue<int>()); // resumed from the stored id
    }

    [Fact]
    public async Task SurvivesApiErrorsAndRecovers()
    {
        var calls = 0;
        api.On("getUpdates", _ => Interlocked.Increment(ref calls) <= 2
            ? BotApiAnswer.Error(502, "Bad Gateway")
            : BotApiAnswer.Ok("[" + Updates.MessageJson("/list", updateId: 5) + "]"));

        await RunUntilAsync(Service(), () => !commands.Calls.IsEmpty, TimeSpan.FromSeconds(15));

        Assert.Equal(["list telegram:42"], commands.Calls);
    }

    [Fact]
    public void BacksOffExponentiallyUpToAMinuteAndHonoursRetryAfter()
    {
        var error = new InvalidOperationException();
        Assert.Equal(TimeSpan.FromSeconds(1), TelegramBotService.Backoff(1, error));
        Assert.Equal(TimeSpan.FromSeconds(8), TelegramBotService.Backoff(4, error));
        Assert.Equal(TimeSpan.FromMinutes(1), TelegramBotService.Backoff(30, error));
        Assert.Equal(TimeSpan.FromSeconds(17), TelegramBotService.Backoff(1, new global::Telegram.Bot.Exceptions.ApiRequestException("Too Many Requests", 429, new global::Telegram.Bot.Types.ResponseParameters { RetryAfter = 17 })));
    }

    [Fact]
    public async Task RegistersTheCommandMenuDropsAWebhookAndKeepsGoingWhenSetMyCommandsFails()
    {
        api.On("setMyCommands", new BotApiAnswer(500, """{"message":"API method 'setMyCommands' is not supported."}"""));
        Queue((1, "/list"));

        await RunUntilAsync(Service(), () => !commands.Calls.IsEmpty);

        var menu = Assert.Single(api.CallsTo("setMyCommands")).Body["commands"]!.AsArray();
        Assert.Contains(menu, c => c!["command"]!.GetValue<string>() == "subscribe");
        Assert.Single(api.CallsTo("deleteWebhook"));
        Assert.Empty(api.CallsTo("setWebhook"));
    }

    [Fact]
    public async Task InWebhookModeRegistersTheWebhookWithItsSecretAndDoesNotPoll()
    {
        var service = Service(o =>
        {
            o.Mode = TelegramMode.Webhook;
            o.WebhookSecret = "s3cret_value";
            o.WebhookUrl = "https://alerts.example.org/telegram/webhook";
        });

        await RunUntilAsync(service, () => api.CallsTo("setWebhook").Count == 1);
        await Task.Delay(200);

        var call = api.CallsTo("setWebhook")[0].Body;
        Assert.Equal("https://alerts.example.org/telegram/webhook", call["url"]?.GetValue<string>());
        Assert.Equal("s3cret_value", call["secret_token"]?.GetValue<string>());
        Assert.Empty(api.CallsTo("getUpdates"));
        Assert.Empty(api.CallsTo("deleteWebhook"));
    }

    [Fact]
    public async Task SkipsAnUpdateTakenAlreadyButHandlesALowerIdItHasNotSeen()
    {
        await keyValues.SetAsync(TelegramUpdateProcessor.LastUpdateKey, "50");
        var options = Options.Create(Build.Options(api.BaseUrl));
        var bot = TelegramExtensions.CreateClient(options.Value);
        var handler = new TelegramUpdateHandler(bot, commands, store, new TelegramBotIdentity(bot), new ChatAdminCache(bot, TimeProvider.System, options), options, NullLogger<TelegramUpdateHandler>.Instance);
        var processor = new TelegramUpdateProcessor(handler, keyValues, NullLogger<TelegramUpdateProcessor>.Instance);

        // 50 was the last one taken before this version, which kept no more than that.
        Assert.False(await processor.ProcessAsync(Updates.Message("/list", updateId: 50), CancellationToken.None));
        Assert.True(await processor.ProcessAsync(Updates.Message("/list", updateId: 51), CancellationToken.None));
        Assert.False(await processor.ProcessAsync(Updates.Message("/list", updateId: 51), CancellationToken.None));

        // After a week without updates Telegram starts from a random id, possibly a lower one: it is new.
        Assert.True(await processor.ProcessAsync(Updates.Message("/list", updateId: 7), CancellationToken.None));
        Assert.True(await processor.ProcessAsync(Updates.Message("/list", updateId: 8), CancellationToken.None));
        Assert.False(await processor.ProcessAsync(Updates.Message("/list", updateId: 7), CancellationToken.None));

        Assert.Equal(3, commands.Calls.Count);
        Assert.Equal("8", await keyValues.GetAsync(TelegramUpdateProcessor.LastUpdateKey));
        Assert.Equal("50,51,7,8", await keyValues.GetAsync(TelegramUpdateProcessor.RecentUpdatesKey));

        // A restart remembers the window.
        var restarted = new TelegramUpdateProcessor(handler, keyValues, NullLogger<TelegramUpdateProcessor>.Instance);
        Assert.False(await restarted.ProcessAsync(Updates.Message("/list", updateId: 51), CancellationToken.None));
        Assert.True(await restarted.ProcessAsync(Updates.Message("/list", updateId: 9), CancellationToken.None));
    }

    [Fact]
    public void TheWindowOfRecentIdsForgetsTheOldestFirst()
    {
        var ids = new RecentIds(3);
        Assert.True(ids.Add(1));
        Assert.True(ids.Add(2));
        Assert.True(ids.Add(3));
        Assert.False(ids.Add(2));
        Assert.True(ids.Add(4));
        Assert.True(ids.Add(1));
        Assert.Equal("3,4,1", ids.ToString());
    }

    [Fact]
    public async Task OnlyTheHolderOfThePollLeaseCallsGetUpdatesAndReleasesItOnStop()
    {
        Queue((1, "/list"));
        var leases = new FakeLeases { Grant = false };

        await RunUntilAsync(Service(leases: leases), () => leases.Attempts >= 1);
        Assert.Empty(api.CallsTo("getUpdates"));

        leases.Grant = true;
        await RunUntilAsync(Service(leases: leases), () => !commands.Calls.IsEmpty);

        Assert.Equal(["list telegram:42"], commands.Calls);
        Assert.Contains(TelegramBotService.LeaseName, leases.Released);
    }

    [Fact]
    public async Task NeitherPollingNorSendingErrorsPutTheTokenInTheLogs()
    {
        var deadUrl = api.BaseUrl;
        await api.DisposeAsync();
        api = await FakeBotApi.StartAsync();
        var options = Options.Create(Build.Options(deadUrl, o => o.PollingTimeoutSeconds = 0));
        var bot = TelegramExtensions.CreateClient(options.Value);
        var identity = new TelegramBotIdentity(bot);
        var handlerLog = new CapturingLogger<TelegramUpdateHandler>();
        var serviceLog = new CapturingLogger<TelegramBotService>();
        var channelLog = new CapturingLogger<TelegramAlertChannel>();
        var outboundLog = new CapturingLogger<TelegramOutbound>();
        var outbound = new TelegramOutbound(bot, new TelegramAlertChannel(bot, options, channelLog), new Alerts.Core.Delivery.DeliveryRateLimiter(), TimeProvider.System, options, outboundLog);
        var handler = new TelegramUpdateHandler(bot, commands, store, identity, new ChatAdminCache(bot, TimeProvider.System, options), options, handlerLog, outbound);
        var processor = new TelegramUpdateProcessor(handler, keyValues, NullLogger<TelegramUpdateProcessor>.Instance);
        var service = new TelegramBotService(bot, processor, identity, options, TimeProvider.System, serviceLog);

        await RunUntilAsync(service, () => serviceLog.Lines.Count(l => l.Contains("getUpdates", StringComparison.Ordinal)) >= 1);
        await processor.ProcessAsync(Updates.Message("/list", updateId: 99), CancellationToken.None); // the reply fails
        await new TelegramAlertChannel(bot, options, channelLog).SendAsync(Build.Alert(), Build.Context(), Build.Chat(), CancellationToken.None);

        var lines = serviceLog.Lines.Concat(handlerLog.Lines).Concat(channelLog.Lines).Concat(outboundLog.Lines).ToList();
        Assert.Contains(lines, l => l.Contains("Telegram reply to chat", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Telegram send", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.DoesNotContain("test-token", l, StringComparison.Ordinal));
    }

    private sealed class FakeLeases : Alerts.Core.Delivery.ILeaseStore
    {
        public volatile bool Grant;
        public int Attempts;
        public System.Collections.Concurrent.ConcurrentBag<string> Released { get; } = [];

        public Task<bool> TryAcquireAsync(string name, string owner, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Attempts);
            return Task.FromResult(Grant);
        }

        public Task ReleaseAsync(string name, string owner, CancellationToken cancellationToken = default)
        {
            Released.Add(name);
            return Task.CompletedTask;
        }
    }
}
