using System.Text.Json;
using Alerts.Core.Delivery;
using Alerts.Core.Subscriptions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Alerts.Telegram.Tests;

public sealed class ForumTopicTests : IAsyncLifetime
{
    private const long Forum = -100555;
    private const long Admin = 1;

    private readonly InMemorySubscriptionStore store = new();
    private readonly InMemoryKeyValueStore keyValues = new();
    private FakeBotApi api = null!;

    public async Task InitializeAsync()
    {
        api = await FakeBotApi.StartAsync();
        api.Members[(Forum, Admin)] = "administrator";
    }

    public async Task DisposeAsync() => await api.DisposeAsync();

    [Fact]
    public async Task ASubscriptionMadeInAForumTopicSendsItsAlertsToThatTopicAndTheReplyQuotesTheCommand()
    {
        var options = Options.Create(Build.Options(api.BaseUrl));
        var bot = TelegramExtensions.CreateClient(options.Value);
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 12, 1, 12, 0, 0, TimeSpan.Zero));
        var commands = new SubscriptionCommands(store, new InMemoryTickerStateStore(), [], new SubscriptionLimits(), time, null, keyValues);
        var topics = new TelegramTopics(store, keyValues);
        var handler = new TelegramUpdateHandler(bot, commands, store, new TelegramBotIdentity(bot), new ChatAdminCache(bot, time, options), options,
            NullLogger<TelegramUpdateHandler>.Instance, topics: topics);

        var json = Updates.MessageJson("/abo Drohne", Forum, Admin, "supergroup")
            .Replace("\"message_id\":1,", "\"message_id\":31,\"message_thread_id\":77,\"is_topic_message\":true,", StringComparison.Ordinal);
        await handler.HandleAsync(Updates.Parse(json), CancellationToken.None);

        var reply = Assert.Single(api.CallsTo("sendMessage"));
        Assert.Equal(77, reply.Body["message_thread_id"]!.GetValue<int>());
        Assert.Equal(31, reply.Body["reply_parameters"]!["message_id"]!.GetValue<int>());

        var channel = new TelegramAlertChannel(bot, options, NullLogger<TelegramAlertChannel>.Instance, store, commands, time, topics);
        var group = store.Subscribers["telegram:-100555"];
        Assert.IsType<SendResult.Sent>(await channel.SendAsync(Build.Alert() with { Query = "Drohne", SubscriberId = group.Id }, Build.Context(), group, CancellationToken.None));

        var alert = api.CallsTo("sendMessage")[^1];
        Assert.Equal(77, alert.Body["message_thread_id"]!.GetValue<int>());
        Assert.Equal(3, alert.Body["reply_markup"]!["inline_keyboard"]![0]!.AsArray().Count);
    }
}
