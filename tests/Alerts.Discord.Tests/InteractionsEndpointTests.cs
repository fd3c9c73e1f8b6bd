using System.Net;
using System.Text.Json.Nodes;
using Alerts.Core.Subscriptions;
using Alerts.Discord.Commands;
using Alerts.Discord.Interactions;
using Alerts.Discord.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Alerts.Discord.Tests;

public sealed class InteractionsEndpointTests
{
    private static async Task<JsonNode> ReadJson(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    [Fact]
    public async Task AnswersPingWithPong()
    {
        await using var app = await DiscordTestApp.StartAsync();
        var json = await ReadJson(await app.PostInteractionAsync(Payloads.Ping()));
        Assert.Equal("""{"type":1}""", json.ToJsonString());
    }

    [NodeFact]
    public async Task AcceptsAPayloadSignedWithTweetnacl()
    {
        await using var app = await DiscordTestApp.StartAsync();
        var body = Payloads.Ping();
        var timestamp = TestKeys.Now();
        var signed = Assert.Single(await NodeTools.RunAsync("discord-sign.mjs", [new JsonObject { ["seed"] = TestKeys.SeedHex, ["timestamp"] = timestamp, ["body"] = body }]));

        // tweetnacl derives the same public key from the seed as NSec: the configured key is the real one.
        Assert.Equal(TestKeys.PublicKeyHex, signed["publicKey"]!.GetValue<string>());
        var response = await app.PostInteractionAsync(body, timestamp, signed["signature"]!.GetValue<string>());
        Assert.Equal("""{"type":1}""", (await ReadJson(response)).ToJsonString());
    }

    private static string Stale() => DateTimeOffset.UtcNow.AddMinutes(-6).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Future() => DateTimeOffset.UtcNow.AddMinutes(6).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static TheoryData<string, Func<string, string, (string Body, string? Timestamp, string? Signature, bool Sign)>> BadRequests => new()
    {
        { "tampered body", (body, ts) => (body.Replace("subscribe", "unsubscribe", StringComparison.Ordinal), ts, TestKeys.Sign(ts, body), true) },
        { "signature for another timestamp", (body, ts) => (body, ts, TestKeys.Sign((long.Parse(ts, System.Globalization.CultureInfo.InvariantCulture) - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), body), true) },
        { "stale timestamp", (body, _) => (body, Stale(), TestKeys.Sign(Stale(), body), true) },
        { "timestamp in the future", (body, _) => (body, Future(), TestKeys.Sign(Future(), body), true) },
        { "missing headers", (body, ts) => (body, ts, null, false) },
        { "short signature", (body, ts) => (body, ts, TestKeys.Sign(ts, body)[..64], true) },
        { "non-hex signature", (body, ts) => (body, ts, "zz" + TestKeys.Sign(ts, body)[2..], true) },
        { "empty signature", (body, ts) => (body, ts, "", true) },
        { "non-numeric timestamp", (body, ts) => (body, "abc", TestKeys.Sign("abc", body), true) },
        { "empty timestamp", (body, ts) => (body, "", TestKeys.Sign("", body), true) },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task RejectsAnythingNotSignedByDiscordBeforeParsingIt(string why, Func<string, string, (string Body, string? Timestamp, string? Signature, bool Sign)> make)
    {
        await using var app = await DiscordTestApp.StartAsync();
        var (body, timestamp, signature, sign) = make(Payloads.GuildCommand("subscribe", Payloads.WithManageChannels, ("query", "Drohne*")), TestKeys.Now());

        var response = await app.PostInteractionAsync(body, timestamp, signature, sign);

        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, why);
        Assert.Empty(app.Commands.Calls);
        Assert.Empty(app.Subscriptions.Subscribers);
    }

    [Fact]
    public async Task AFloodOfUnsignedRequestsIsCountedAndLoggedOnce()
    {
        var logs = new CapturingLoggerProvider();
        await using var app = await DiscordTestApp.StartAsync(services: s => s.AddSingleton<ILoggerProvider>(logs));

        for (var i = 0; i < 200; i++)
        {
            using var response = await app.PostInteractionAsync(Payloads.Ping(), signature: new string('0', 128));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        Assert.Equal(200, app.App.Services.GetRequiredService<RejectedInteractions>().Count);
        Assert.Single(logs.Lines, l => l.Contains("interaction rejected", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RejectsAGarbageBodyEvenWhenItLooksLikeJson()
    {
        await using var app = await DiscordTestApp.StartAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.PostInteractionAsync("{\"type\":1}", signature: new string('0', 128))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await app.PostInteractionAsync("not json")).StatusCode);
    }

    [Fact]
    public async Task SubscribeHereFromAMemberWithManageChannelsSubscribesTheChannel()
    {
        await using var app = await DiscordTestApp.StartAsync();

        var json = await ReadJson(await app.PostInteractionAsync(Payloads.GuildCommand("subscribe", Payloads.WithManageChannels, ("query", "Drohne*"), ("source", "ntv-ukraine"), ("here", true))));

        Assert.Equal(4, json["type"]!.GetValue<int>());
        Assert.Equal(64, json["data"]!["flags"]!.GetValue<int>());
        Assert.Equal(@"Subscribed to **Drohne\***.", json["data"]!["content"]!.GetValue<string>());
        Assert.Equal("""{"parse":[]}""", json["data"]!["allowed_mentions"]!.ToJsonString());
        var call = Assert.Single(app.Commands.Calls);
        Assert.Equal(("subscribe", "discord-channel:" + Payloads.ChannelId, "Drohne*", "ntv-ukraine"), (call.Command, call.Subscriber!.Id, call.Text, call.Source));
        var subscriber = app.Subscriptions.Subscribers["discord-channel:" + Payloads.ChannelId];
        Assert.Equal((Platforms.DiscordChannel, Payloads.ChannelId, true), (subscriber.Platform, subscriber.Address, subscriber.IsGroup));
    }

    [Fact]
    public async Task SubscribeHereWithoutManageChannelsIsRefusedWithAnExplanation()
    {
        await using var app = await DiscordTestApp.StartAsync();

        var json = await ReadJson(await app.PostInteractionAsync(Payloads.GuildCommand("subscribe", Payloads.WithoutManageChannels, ("query", "Drohne*"), ("here", true))));

        Assert.Equal(64, json["data"]!["flags"]!.GetValue<int>());
        Assert.Contains("Manage Channels", json["data"]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(app.Commands.Calls);
        Assert.Empty(app.Subscriptions.Subscribers);
    }

    [Theory]
    [InlineData("16", true)]
    [InlineData("8", true)]
    [InlineData("2147483647", true)]
    [InlineData("1125899906842624", false)]
    [InlineData("36893488147419103248", true)]
    [InlineData("3072", false)]
    [InlineData("", false)]
    [InlineData("-16", false)]
    [InlineData("abc", false)]
    public void ReadsManageChannelsOrAdministratorFromThePermissionString(string permissions, bool expected) =>
        Assert.Equal(expected, DiscordCommandHandler.HasManageChannels(permissions));

    [Fact]
    public async Task SubscribeWithoutHereSubscribesTheUserForDms()
    {
        await using var app = await DiscordTestApp.StartAsync();

        await ReadJson(await app.PostInteractionAsync(Payloads.GuildCommand("subscribe", Payloads.WithoutManageChannels, ("query", "Selenskyj"))));
        await ReadJson(await app.PostInteractionAsync(Payloads.DmCommand("subscribe", ("query", "Kachowka"))));

        Assert.All(app.Commands.Calls, c => Assert.Equal("discord-user:" + Payloads.UserId, c.Subscriber!.Id));
        Assert.Equal(Platforms.DiscordUser, app.Subscriptions.Subscribers["discord-user:" + Payloads.UserId].Platform);
    }

    [Fact]
    public async Task HereInADmIsExplained()
    {
        await using var app = await DiscordTestApp.StartAsync();
        var json = await ReadJson(await app.PostInteractionAsync(Payloads.DmCommand("subscribe", ("query", "Kachowka"), ("here", true))));
        Assert.Contains("server channel", json["data"]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(app.Commands.Calls);
    }

    [Fact]
    public async Task ADeactivatedUserWhoSubscribesAgainIsReactivated()
    {
        await using var app = await DiscordTestApp.StartAsync();
        var id = "discord-user:" + Payloads.UserId;
        app.Subscriptions.Subscribers[id] = new Subscriber(id, Platforms.DiscordUser, Payloads.UserId, Active: false, DeactivatedReason: "50007");

        await ReadJson(await app.PostInteractionAsync(Payloads.DmCommand("subscribe", ("query", "Kachowka"))));

        Assert.Equal([$"reactivate {id}"], app.Subscriptions.Calls.Where(c => c.StartsWith("reactivate", StringComparison.Ordinal)));
        Assert.True(app.Subscriptions.Subscribers[id].Active);
    }

    [Theory]
    [InlineData("unsubscribe", "which", "2")]
    [InlineData("preview", "query", "Drohne*")]
    [InlineData("list", null, null)]
    [InlineData("pause", null, null)]
    [InlineData("resume", null, null)]
    [InlineData("sources", null, null)]
    [InlineData("help", null, null)]
    public async Task EveryCommandReachesTheSharedCommandsAndRepliesEphemerally(string command, string? option, string? value)
    {
        await using var app = await DiscordTestApp.StartAsync();
        var options = option is null ? [] : new (string, object)[] { (option, value!) };

        var json = await ReadJson(await app.PostInteractionAsync(Payloads.DmCommand(command, options)));

        Assert.Equal(64, json["data"]!["flags"]!.GetValue<int>());
        var call = Assert.Single(app.Commands.Calls);
        Assert.Equal(command, call.Command);
        if (value is not null)
        {
            Assert.Equal(value, call.Text);
        }

        if (command == "help")
        {
            Assert.Equal("/subscribe query:", call.Text);
        }
    }

    [Fact]
    public async Task ParserErrorsComeBackWithTheirPosition()
    {
        await using var app = await DiscordTestApp.StartAsync();
        app.Commands.Reply = _ => throw new Core.Matching.QuerySyntaxException("unclosed quote", 7);

        var json = await ReadJson(await app.PostInteractionAsync(Payloads.DmCommand("subscribe", ("query", "Drohne \"Kiew"))));

        Assert.Equal("I could not read that query: unclosed quote \\(character 8\\).", json["data"]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task ASlowCommandIsDeferredAndCompletedByEditingTheOriginalReply()
    {
        await using var app = await DiscordTestApp.StartAsync(settings: new Dictionary<string, string?> { ["Alerts:Discord:DeferAfter"] = "00:00:00.200" });
        app.Commands.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var edited = new TaskCompletionSource<RecordedRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Discord.Received += r =>
        {
            if (r.Method == "PATCH")
            {
                edited.TrySetResult(r);
            }
        };

        var json = await ReadJson(await app.PostInteractionAsync(Payloads.GuildCommand("preview", Payloads.WithoutManageChannels, ("query", "Drohne*"))));

        Assert.Equal("""{"type":5,"data":{"flags":64,"allowed_mentions":{"parse":[]}}}""", json.ToJsonString());
        Assert.DoesNotContain(app.Discord.Requests, r => r.Method == "PATCH");

        app.Commands.Gate.SetResult();
        var patch = await edited.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal($"/api/v10/webhooks/{DiscordTestApp.ApplicationId}/interaction-token-preview/messages/@original", patch.Path);
        Assert.Equal("No matches.", patch.Json!["content"]!.GetValue<string>());
        Assert.False(patch.Headers.ContainsKey("Authorization"));
    }

    [Fact]
    public async Task ALongReplyContinuesInEphemeralFollowUps()
    {
        await using var app = await DiscordTestApp.StartAsync();
        app.Commands.Reply = _ => CommandReply.Ok(string.Join("\n", Enumerable.Range(1, 50).Select(i => $"{i}. " + new string('q', 120))));
        var followUps = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Discord.Received += r =>
        {
            if (app.Discord.To("POST", $"/webhooks/{DiscordTestApp.ApplicationId}/dm-token-list").Count == 3)
            {
                followUps.TrySetResult();
            }
        };

        var json = await ReadJson(await app.PostInteractionAsync(Payloads.DmCommand("list")));

        Assert.StartsWith("1. ", json["data"]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        await followUps.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var all = new[] { json["data"]!["content"]!.GetValue<string>() }
            .Concat(app.Discord.To("POST", "/dm-token-list").Select(r => r.Json!["content"]!.GetValue<string>()));
        Assert.Equal(50, string.Join("\n", all).Split('\n').Length);
        Assert.All(app.Discord.To("POST", "/dm-token-list"), r => Assert.Equal(64, r.Json!["flags"]!.GetValue<int>()));
    }

    [Fact]
    public async Task RegistersCommandsAtStartUpAndSkipsTheCallWhenNothingChanged()
    {
        var keyValues = new InMemoryKeyValueStore();
        await using (var first = await DiscordTestApp.StartAsync(services: s => s.AddSingleton<IKeyValueStore>(keyValues)))
        {
            Assert.True(await first.App.Services.GetRequiredService<DiscordCommandRegistrar>().Completion.WaitAsync(TimeSpan.FromSeconds(10)));
            var put = Assert.Single(first.Discord.Requests);
            Assert.Equal(("PUT", $"/api/v10/applications/{DiscordTestApp.ApplicationId}/commands"), (put.Method, put.Path));
            Assert.Equal("Bot test-bot-token", put.Headers["Authorization"]);
            var names = put.Json!.AsArray().Select(c => c!["name"]!.GetValue<string>());
            Assert.Equal(["subscribe", "unsubscribe", "list", "preview", "pause", "resume", "stop", "mute", "quiet", "timezone", "language", "format", "sources", "help"], names);
            var source = put.Json![0]!["options"]!.AsArray().Single(o => o!["name"]!.GetValue<string>() == "source")!;
            Assert.Equal("""[{"name":"ntv.de Ukraine-Liveticker","value":"ntv-ukraine"},{"name":"feed-demo","value":"feed-demo"}]""", source["choices"]!.ToJsonString());
        }

        await using (var second = await DiscordTestApp.StartAsync(services: s => s.AddSingleton<IKeyValueStore>(keyValues)))
        {
            Assert.True(await second.App.Services.GetRequiredService<DiscordCommandRegistrar>().Completion.WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Empty(second.Discord.Requests);
        }

        // A guild is another scope: registered there once.
        await using var guild = await DiscordTestApp.StartAsync(settings: new Dictionary<string, string?> { ["Alerts:Discord:GuildId"] = Payloads.GuildId }, services: s => s.AddSingleton<IKeyValueStore>(keyValues));
        Assert.True(await guild.App.Services.GetRequiredService<DiscordCommandRegistrar>().Completion.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal($"/api/v10/applications/{DiscordTestApp.ApplicationId}/guilds/{Payloads.GuildId}/commands", Assert.Single(guild.Discord.Requests).Path);
    }

    [Fact]
    public async Task AStoreFailureDuringRegistrationIsRetriedInsteadOfStoppingTheHost()
    {
        var store = new FlakyKeyValueStore();
        await using var app = await DiscordTestApp.StartAsync(
            settings: new Dictionary<string, string?> { ["Alerts:Discord:GuildId"] = Payloads.GuildId },
            services: s => s.AddSingleton<IKeyValueStore>(store));

        // The first attempt fails in the store; the retry (after 2 s) registers.
        Assert.True(await app.App.Services.GetRequiredService<DiscordCommandRegistrar>().Completion.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(2, store.Reads);
        Assert.Single(app.Discord.Requests, r => r.Method == "PUT");
        Assert.Equal(HttpStatusCode.OK, (await app.PostInteractionAsync(Payloads.Ping())).StatusCode);
    }

    private sealed class FlakyKeyValueStore : IKeyValueStore
    {
        public int Reads;

        public Task<string?> GetAsync(string key, CancellationToken cancellationToken = default) =>
            Interlocked.Increment(ref Reads) == 1 ? throw new InvalidOperationException("database is locked") : Task.FromResult<string?>(null);

        public Task SetAsync(string key, string value, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task SetAsync(string key, string value, DateTimeOffset expiresAt, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }

    [NodeFact]
    public async Task EveryBodyTheBotSendsIsValidAgainstDiscordsSchemas()
    {
        await using var app = await DiscordTestApp.StartAsync(settings: new Dictionary<string, string?> { ["Alerts:Discord:DeferAfter"] = "00:00:00.200" });
        await app.App.Services.GetRequiredService<DiscordCommandRegistrar>().Completion.WaitAsync(TimeSpan.FromSeconds(10));
        var responses = new List<(string, string)>();
        async Task Post(string body, string schema) =>
            responses.Add((schema, await (await app.PostInteractionAsync(body)).EnsureSuccessStatusCode().Content.ReadAsStringAsync()));

        await Post(Payloads.Ping(), "PongInteractionCallbackRequestSchema");
        await Post(Payloads.GuildCommand("subscribe", Payloads.WithManageChannels, ("query", "Drohne* <@&1> @everyone"), ("here", true)), "CreateMessageInteractionCallbackRequestSchema");
        await Post(Payloads.GuildCommand("subscribe", Payloads.WithoutManageChannels, ("query", "x"), ("here", true)), "CreateMessageInteractionCallbackRequestSchema");
        app.Commands.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Commands.Reply = _ => CommandReply.Ok(string.Join("\n", Enumerable.Range(1, 30).Select(i => $"{i}. " + new string('q', 200))));
        await Post(Payloads.DmCommand("list"), "CreateMessageInteractionCallbackRequestSchema");
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Discord.Received += r =>
        {
            if (app.Discord.To("POST", "/dm-token-list").Count == 3)
            {
                done.TrySetResult();
            }
        };
        app.Commands.Gate.SetResult();
        await done.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // Through the client as well: the callback route.
        using (var scope = app.App.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<Rest.DiscordRestClient>().CreateInteractionResponseAsync("1", "tok", Rest.InteractionResponse.Message(Rest.DiscordMessage.Ephemeral("hi")), CancellationToken.None);
        }

        Assert.Contains(app.Discord.Requests, r => r.Method == "PUT");
        Assert.Contains(app.Discord.Requests, r => r.Method == "PATCH");
        Assert.Contains(app.Discord.Requests, r => r.Path.EndsWith("/callback", StringComparison.Ordinal));
        Assert.All(app.Discord.Requests.Where(r => r.IsMessageBody), r => Assert.Equal("""{"parse":[]}""", r.Json!["allowed_mentions"]!.ToJsonString()));
        await NodeTools.AssertValidAsync(responses.Concat(app.Discord.Requests.Where(r => r.Schema is not null).Select(r => (r.Schema!, r.Body))));
    }
}
