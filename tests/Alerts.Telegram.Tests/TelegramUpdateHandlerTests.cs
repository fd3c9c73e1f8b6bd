using Alerts.Core.Subscriptions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Alerts.Telegram.Tests;

public sealed class TelegramUpdateHandlerTests : IAsyncLifetime
{
    private const long Group = -100777;
    private const long Admin = 1;
    private const long Member = 2;

    private readonly RecordingCommands commands = new();
    private readonly InMemorySubscriptionStore store = new();
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2025, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private FakeBotApi api = null!;
    private TelegramUpdateHandler handler = null!;

    public async Task InitializeAsync()
    {
        api = await FakeBotApi.StartAsync();
        api.Members[(Group, Admin)] = "administrator";
        var options = Options.Create(Build.Options(api.BaseUrl));
        var bot = TelegramExtensions.CreateClient(options.Value);
        handler = new TelegramUpdateHandler(bot, commands, store, new TelegramBotIdentity(bot), new ChatAdminCache(bot, time, options), options, NullLogger<TelegramUpdateHandler>.Instance);
    }

    public async Task DisposeAsync() => await api.DisposeAsync();

    private async Task<IReadOnlyList<string>> SendAsync(string text, long chatId = 42, long userId = 7, string chatType = "private", string? senderChat = null)
    {
        var before = api.CallsTo("sendMessage").Count;
        await handler.HandleAsync(Updates.Message(text, chatId, userId, chatType, senderChat: senderChat), CancellationToken.None);
        return [.. api.CallsTo("sendMessage").Skip(before).Select(c => c.Text!)];
    }

    [Theory]
    [InlineData("/subscribe Drohne*")]
    [InlineData("/sub Drohne*")]
    [InlineData("/sub@AlertsTestBot Drohne*")]
    public async Task SubscribeAndItsAliasSaveTheQueryAndEchoIt(string text)
    {
        var replies = await SendAsync(text);

        Assert.Equal(["subscribe telegram:42 [Drohne*]"], commands.Calls);
        Assert.Equal("Abonniert / subscribed: <b>Drohne*</b>", Assert.Single(replies));
    }

    [Theory]
    [InlineData("/unsubscribe 2", "unsubscribe telegram:42 [2]")]
    [InlineData("/unsub Drohne*", "unsubscribe telegram:42 [Drohne*]")]
    [InlineData("/list", "list telegram:42")]
    [InlineData("/preview Selenskyj", "preview telegram:42 [Selenskyj]")]
    [InlineData("/pause", "pause telegram:42")]
    [InlineData("/resume", "resume telegram:42")]
    [InlineData("/sources", "sources")]
    [InlineData("/help", "help /subscribe")]
    [InlineData("/start", "start telegram:42")]
    public async Task EveryCommandReachesItsCoreOperation(string text, string expectedCall)
    {
        var replies = await SendAsync(text);

        Assert.Equal([expectedCall], commands.Calls);
        Assert.Single(replies);
    }

    [Fact]
    public async Task HelpListsTheCommandsAndTheQueryLanguage()
    {
        var reply = Assert.Single(await SendAsync("/help"));

        Assert.Contains("/subscribe &lt;query&gt; – Follow words: /subscribe Drohne*", reply, StringComparison.Ordinal);
        Assert.Contains("/unsubscribe &lt;2 5 7|4-10|all|query&gt; – End subscriptions", reply, StringComparison.Ordinal);
        Assert.DoesNotContain("Befehle", reply, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/subscribe")]
    [InlineData("/sub   ")]
    [InlineData("/unsubscribe")]
    [InlineData("/preview")]
    public async Task ACommandWithoutItsArgumentExplainsTheUsage(string text)
    {
        var reply = Assert.Single(await SendAsync(text));

        Assert.Empty(commands.Calls);
        Assert.StartsWith("⚠️", reply, StringComparison.Ordinal);
        Assert.Contains("/", reply, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AParserErrorIsShownEscapedWithItsPosition()
    {
        commands.SubscribeReply = CommandReply.Error("Unerwartetes Zeichen '<' an Position 7 / unexpected '<' at 7");

        var reply = Assert.Single(await SendAsync("/sub Drohne <"));

        Assert.Equal("⚠️ Unerwartetes Zeichen '&lt;' an Position 7 / unexpected '&lt;' at 7", reply);
    }

    [Theory]
    [InlineData(nameof(RecordingCommands.UnsubscribeReply), "/unsub 9", "Nummer 9 gibt es nicht")]
    [InlineData(nameof(RecordingCommands.ListReply), "/list", "Keine Abos & nichts")]
    [InlineData(nameof(RecordingCommands.PreviewReply), "/preview \"", "Anführungszeichen fehlt")]
    public async Task ErrorRepliesOfEveryCommandReachTheUser(string property, string text, string error)
    {
        typeof(RecordingCommands).GetProperty(property)!.SetValue(commands, CommandReply.Error(error));

        var reply = Assert.Single(await SendAsync(text));

        Assert.Equal("⚠️ " + TelegramHtml.Escape(error), reply);
    }

    [Fact]
    public async Task AnUnknownCommandInAPrivateChatGetsAHint()
    {
        var reply = Assert.Single(await SendAsync("/frobnicate"));

        Assert.Contains("/frobnicate", reply, StringComparison.Ordinal);
        Assert.Empty(commands.Calls);
    }

    [Fact]
    public async Task PlainTextInAPrivateChatGetsAHintAndInAGroupNothing()
    {
        Assert.Single(await SendAsync("hallo"));
        Assert.Empty(await SendAsync("hallo zusammen", Group, Member, "supergroup"));
        Assert.Empty(await SendAsync("/frobnicate", Group, Member, "supergroup"));
    }

    [Fact]
    public async Task CommandsForAnotherBotAreIgnored()
    {
        var replies = await SendAsync("/list@OtherBot", Group, Admin, "supergroup");

        Assert.Empty(replies);
        Assert.Empty(commands.Calls);
        Assert.Empty(store.Calls);
    }

    [Fact]
    public async Task CommandsAddressedToThisBotWorkInGroups()
    {
        var replies = await SendAsync("/list@AlertsTestBot", Group, Member, "supergroup");

        Assert.Single(replies);
        Assert.Equal([$"list telegram:{Group}"], commands.Calls);
        Assert.Equal([$"ensure telegram:{Group} group=True"], store.Calls);
    }

    [Theory]
    [InlineData("/subscribe Nato")]
    [InlineData("/sub@AlertsTestBot Nato")]
    [InlineData("/unsubscribe 1")]
    [InlineData("/pause")]
    [InlineData("/resume")]
    public async Task InGroupsOnlyAdminsMayChangeSubscriptions(string text)
    {
        var refused = Assert.Single(await SendAsync(text, Group, Member, "group"));
        Assert.Contains("administrators", refused, StringComparison.Ordinal);
        Assert.Empty(commands.Calls);

        Assert.Single(await SendAsync(text, Group, Admin, "group"));
        Assert.Single(commands.Calls);
    }

    [Theory]
    [InlineData("/list")]
    [InlineData("/help")]
    [InlineData("/sources")]
    [InlineData("/preview Nato")]
    public async Task InGroupsEveryoneMayLookWithoutChanging(string text)
    {
        Assert.Single(await SendAsync(text, Group, Member, "supergroup"));

        Assert.Single(commands.Calls);
        Assert.Empty(api.CallsTo("getChatMember"));
    }

    [Fact]
    public async Task AnAnonymousAdminWritingAsTheGroupMayChangeSubscriptions()
    {
        await SendAsync("/sub Nato", Group, 1087968824, "supergroup", senderChat: $$"""{"id":{{Group}},"type":"supergroup","title":"Gruppe"}""");

        Assert.Equal([$"subscribe telegram:{Group} [Nato]"], commands.Calls);
    }

    [Fact]
    public async Task AdminRightsAreCachedBrieflyThenAskedAgain()
    {
        await SendAsync("/sub a", Group, Admin, "supergroup");
        await SendAsync("/sub b", Group, Admin, "supergroup");
        Assert.Single(api.CallsTo("getChatMember"));

        api.Members[(Group, Admin)] = "member";
        time.Advance(TimeSpan.FromMinutes(3));
        var refused = Assert.Single(await SendAsync("/sub c", Group, Admin, "supergroup"));

        Assert.Equal(2, api.CallsTo("getChatMember").Count);
        Assert.Contains("administrators", refused, StringComparison.Ordinal);
        Assert.Equal(2, commands.Calls.Count);
    }

    [Fact]
    public async Task WhenAdminRightsCannotBeCheckedNothingChanges()
    {
        api.On("getChatMember", BotApiAnswer.Error(500, "Internal Server Error"));

        Assert.Single(await SendAsync("/sub Nato", Group, Admin, "supergroup"));

        Assert.Empty(commands.Calls);
    }

    [Fact]
    public async Task ADeactivatedSubscriberWhoWritesAgainIsReactivated()
    {
        store.Subscribers["telegram:42"] = Build.Chat(42) with { Active = false, DeactivatedReason = "blocked" };

        await SendAsync("/start");

        Assert.True(store.Subscribers["telegram:42"].Active);
        Assert.Contains("reactivate telegram:42", store.Calls);
    }

    [Fact]
    public async Task AGroupThatBecomesASupergroupTakesItsSubscriptionsAlong()
    {
        store.Subscribers["telegram:-4711"] = Build.Chat(-4711, group: true) with { TimeZone = "Europe/Kyiv" };

        await handler.HandleAsync(Updates.Migration(-4711, -1004711), CancellationToken.None);

        Assert.Equal(["migrate telegram:-4711 -> telegram:-1004711"], store.Calls);
        var moved = store.Subscribers["telegram:-1004711"];
        Assert.Equal(("-1004711", true, "Europe/Kyiv"), (moved.Address, moved.IsGroup, moved.TimeZone));
    }

    [Fact]
    public async Task RemovingTheBotFromAChatDeactivatesIt()
    {
        await handler.HandleAsync(Updates.BotRemoved(42), CancellationToken.None);

        Assert.Equal(["deactivate telegram:42"], store.Calls);
    }

    [Fact]
    public async Task UnblockingTheBotReactivatesTheChat()
    {
        store.Subscribers["telegram:42"] = Build.Chat(42) with { Active = false, DeactivatedReason = "blocked" };

        await handler.HandleAsync(Updates.BotRemoved(42, status: "member"), CancellationToken.None);

        Assert.True(store.Subscribers["telegram:42"].Active);
        Assert.Equal(["reactivate telegram:42"], store.Calls);
    }

    [Fact]
    public async Task ALongListIsSplitIntoMessagesThatFit()
    {
        commands.ListReply = CommandReply.Ok(string.Join('\n', Enumerable.Range(1, 50).Select(i => $"{i}. {new string('x', 200)} & <y>")));

        var replies = await SendAsync("/list");

        Assert.True(replies.Count >= 3);
        Assert.All(replies, r => Assert.InRange(FakeBotApi.VisibleLength(r), 1, 4096));
        Assert.StartsWith("1. ", replies[0], StringComparison.Ordinal);
        Assert.EndsWith("&amp; &lt;y&gt;", replies[^1], StringComparison.Ordinal);
        Assert.Equal(50, replies.Sum(r => r.Split('\n').Length));
    }

    [Fact]
    public async Task AFailingReplyDoesNotBreakTheHandler()
    {
        api.On("sendMessage", BotApiAnswer.Error(403, "Forbidden: bot was blocked by the user"));

        await SendAsync("/list");

        Assert.Equal(["list telegram:42"], commands.Calls);
    }
}
