using System.Text.Json;
using System.Text.Json.Nodes;
using Alerts.Core.Delivery;
using Alerts.Core.Subscriptions;
using Alerts.Discord.Commands;
using Alerts.Discord.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Discord.Tests;

/// <summary>
/// Issue 11 on Discord through signed interactions against the fake Discord API, with the real Core commands:
/// buttons on alert embeds and their component interactions, autocomplete for /unsubscribe, German localizations,
/// replies in the interaction's locale, a refused DM made visible, "this channel" — every body checked against
/// Discord's published schemas.
/// </summary>
public sealed class ChatFlowTests
{
    private static readonly AlertContext Berlin = new("ntv.de Ukraine-Liveticker", TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));

    private static Task<DiscordTestApp> StartAsync() => DiscordTestApp.StartAsync(services: s => s.AddSingleton<ISubscriptionCommands>(sp => new SubscriptionCommands(
        sp.GetRequiredService<ISubscriptionStore>(), new InMemoryTickerStateStore(), [new() { Id = "ntv-ukraine", Name = "ntv.de Ukraine-Liveticker", Url = "http://127.0.0.1/t" }],
        new SubscriptionLimits(), TimeProvider.System, null, sp.GetRequiredService<IKeyValueStore>())));

    private static string WithLocale(string payload, string locale)
    {
        var json = JsonNode.Parse(payload)!.AsObject();
        json["locale"] = locale;
        return json.ToJsonString();
    }

    private static string Press(string customId, IEnumerable<JsonNode?> components, string? guild = null, string permissions = Payloads.WithManageChannels, string locale = "de") =>
        JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["id"] = "1600000000000000010",
            ["application_id"] = DiscordTestApp.ApplicationId,
            ["type"] = 3,
            ["token"] = "press-token-" + customId,
            ["version"] = 1,
            ["locale"] = locale,
            ["guild_id"] = guild,
            ["channel_id"] = guild is null ? "1800000000000000009" : Payloads.ChannelId,
            ["user"] = guild is null ? new { id = Payloads.UserId, username = "reader" } : null,
            ["member"] = guild is null ? null : new { user = new { id = Payloads.UserId, username = "mod" }, permissions, roles = Array.Empty<string>() },
            ["message"] = new { id = "1900000000000000011", components = components.ToList() },
            ["data"] = new { custom_id = customId, component_type = 2 },
        });

    [NodeFact]
    public async Task AnAlertEmbedCarriesButtonsThatMuteAndEndItsSubscriptionInTheUsersLanguage()
    {
        await using var app = await StartAsync();
        var responses = new List<(string, string)>();
        async Task<JsonNode> Post(string body, string schema)
        {
            var text = await (await app.PostInteractionAsync(body)).EnsureSuccessStatusCode().Content.ReadAsStringAsync();
            responses.Add((schema, text));
            return JsonNode.Parse(text)!;
        }

        // A German user subscribes by slash command; the reply is German.
        var subscribed = await Post(WithLocale(Payloads.DmCommand("subscribe", ("query", "Drohne")), "de"), "CreateMessageInteractionCallbackRequestSchema");
        Assert.Equal("Abonniert #1: **Drohne** — alle Quellen", subscribed["data"]!["content"]!.GetValue<string>());

        // The alert goes out by DM with the buttons; the footer shows the time once, with the zone, and the subscription.
        var user = (await app.App.Services.GetRequiredService<ISubscriptionStore>().GetSubscriberAsync("discord-user:" + Payloads.UserId))!;
        var channel = app.App.Services.GetServices<IAlertChannel>().Single();
        Assert.IsType<SendResult.Sent>(await channel.SendAsync(RenderingTests.Alert() with { Query = "Drohne" }, Berlin, user, CancellationToken.None));
        var sent = app.Discord.To("POST", "/messages").Last().Json!;
        Assert.Null(sent["embeds"]![0]!["timestamp"]);
        Assert.Equal("01.12.2025 15:29 (Europe/Berlin) · Abo #1: Drohne", sent["embeds"]![0]!["footer"]!["text"]!.GetValue<string>());
        var buttons = sent["components"]![0]!["components"]!.AsArray();
        Assert.Equal(["🔕 1 Stunde", "🔕 Bis 7 Uhr", "✖ Beenden"], buttons.Select(b => b!["label"]!.GetValue<string>()));

        // Pressing "1 hour": the message's buttons are updated in place, and the subscription is muted.
        var muted = await Post(Press(buttons[0]!["custom_id"]!.GetValue<string>(), sent["components"]!.AsArray().Select(r => r!.DeepClone())), "UpdateMessageInteractionCallbackRequestSchema");
        Assert.Equal(7, muted["type"]!.GetValue<int>());
        Assert.StartsWith("🔕 Stumm bis", muted["data"]!["components"]![0]!["components"]![0]!["label"]!.GetValue<string>(), StringComparison.Ordinal);
        var store = (InMemorySubscriptionStore)app.App.Services.GetRequiredService<ISubscriptionStore>();
        Assert.NotNull(Assert.Single(store.Subscriptions.Values).MutedUntil);

        // Ending it from the alert.
        var ended = await Post(Press(buttons[2]!["custom_id"]!.GetValue<string>(), sent["components"]!.AsArray().Select(r => r!.DeepClone())), "UpdateMessageInteractionCallbackRequestSchema");
        Assert.Equal("✖ Beendet · ↩ Rückgängig", ended["data"]!["components"]![0]!["components"]![0]!["label"]!.GetValue<string>());
        Assert.Empty(store.Subscriptions);

        // A forged press for a subscription of someone else changes nothing.
        await store.AddSubscriptionAsync("discord-user:999", "Kiew", null, DateTimeOffset.UtcNow);
        var forged = await Post(Press(new ChatAction.End(store.Subscriptions.Keys.Single()).Encode(), []), "UpdateMessageInteractionCallbackRequestSchema");
        Assert.Single(store.Subscriptions);
        Assert.Equal(7, forged["type"]!.GetValue<int>());

        await NodeTools.AssertValidAsync(responses.Concat(app.Discord.Requests.Where(r => r.Schema is not null).Select(r => (r.Schema!, r.Body))));
    }

    [NodeFact]
    public async Task AnAlertEmbedFollowsItsEntryThePatchKeepsTheButtonsAndMentionsStayOff()
    {
        await using var app = await StartAsync();
        await app.PostInteractionAsync(WithLocale(Payloads.DmCommand("subscribe", ("query", "Drohne")), "de"));
        var user = (await app.App.Services.GetRequiredService<ISubscriptionStore>().GetSubscriberAsync("discord-user:" + Payloads.UserId))!;
        var channel = app.App.Services.GetServices<IAlertChannel>().Single();
        var alert = RenderingTests.Alert(headline: "Drohnen über Kiw") with { Query = "Drohne" };

        // The alert goes out by DM; the channel names the DM channel and the message it created.
        var sent = Assert.IsType<SendResult.Sent>(await channel.SendAsync(alert, Berlin, user, CancellationToken.None));
        var created = app.Discord.To("POST", "/messages").Last();
        Assert.Equal($"/api/v10/channels/{sent.Message!.Chat}/messages", created.Path);

        // The entry's headline is corrected: the same message is patched, nothing new is posted.
        var corrected = alert with { Headline = "Drohnen über Kiew @everyone", Message = sent.Message, Revision = 1 };
        Assert.Equal(new SendResult.Sent(sent.Message), await channel.EditAsync(corrected, Berlin, user, CancellationToken.None));
        var patch = Assert.Single(app.Discord.To("PATCH", $"/channels/{sent.Message.Chat}/messages/{sent.Message.Id}"));
        Assert.Single(app.Discord.To("POST", "/messages"));
        var embed = patch.Json!["embeds"]![0]!;
        Assert.Equal("**Drohnen** über Kiew @everyone", embed["title"]!.GetValue<string>());
        Assert.Equal("01.12.2025 15:29 (Europe/Berlin) · Abo #1: Drohne", embed["footer"]!["text"]!.GetValue<string>());
        Assert.Equal("""{"parse":[]}""", patch.Json!["allowed_mentions"]!.ToJsonString());
        Assert.Equal(["🔕 1 Stunde", "🔕 Bis 7 Uhr", "✖ Beenden"], patch.Json!["components"]![0]!["components"]!.AsArray().Select(b => b!["label"]!.GetValue<string>()));

        // A message deleted meanwhile cannot follow: a quiet, permanent failure of the edit, the user stays on.
        app.Discord.Fault(r => r.Method == "PATCH", new FakeResponse(404, """{"message": "Unknown Message", "code": 10008}""", Delay: TimeSpan.FromMilliseconds(150)));
        Assert.IsType<SendResult.Permanent>(await channel.EditAsync(corrected with { Revision = 2 }, Berlin, user, CancellationToken.None));
        Assert.True((await app.App.Services.GetRequiredService<ISubscriptionStore>().GetSubscriberAsync(user.Id))!.Active);

        await NodeTools.AssertValidAsync(app.Discord.Requests);
    }

    [NodeFact]
    public async Task UnsubscribeAutocompletesTheUsersSubscriptionsAndEnglishLocalesGetEnglish()
    {
        await using var app = await StartAsync();
        await app.PostInteractionAsync(WithLocale(Payloads.DmCommand("subscribe", ("query", "Drohne")), "en-US"));
        await app.PostInteractionAsync(WithLocale(Payloads.DmCommand("subscribe", ("query", "Selenskyj")), "en-US"));

        var body = JsonNode.Parse(Payloads.DmCommand("unsubscribe", ("which", "sel")))!.AsObject();
        body["type"] = 4;
        body["data"]!["options"]![0]!["focused"] = true;
        var text = await (await app.PostInteractionAsync(body.ToJsonString())).EnsureSuccessStatusCode().Content.ReadAsStringAsync();
        var json = JsonNode.Parse(text)!;
        Assert.Equal(8, json["type"]!.GetValue<int>());
        var choice = Assert.Single(json["data"]!["choices"]!.AsArray());
        Assert.Equal("#2 Selenskyj", choice!["name"]!.GetValue<string>());
        Assert.Equal("2", choice["value"]!.GetValue<string>());

        var removed = JsonNode.Parse(await (await app.PostInteractionAsync(WithLocale(Payloads.DmCommand("unsubscribe", ("which", "2")), "en-US"))).Content.ReadAsStringAsync())!;
        Assert.Equal("Ended #2: **Selenskyj**", removed["data"]!["content"]!.GetValue<string>());
        await NodeTools.AssertValidAsync([("ApplicationCommandAutocompleteCallbackRequestSchema", text)]);
    }

    [NodeFact]
    public async Task ARefusedDmIsShownInListAndAtTheNextCommandWhichTurnsAlertsBackOn()
    {
        await using var app = await StartAsync();
        await app.PostInteractionAsync(WithLocale(Payloads.DmCommand("subscribe", ("query", "Drohne")), "en-US"));
        var store = (InMemorySubscriptionStore)app.App.Services.GetRequiredService<ISubscriptionStore>();
        var id = "discord-user:" + Payloads.UserId;
        await store.DeactivateAsync(id, "message: 403 Forbidden (50007 Cannot send messages to this user)");

        var list = JsonNode.Parse(await (await app.PostInteractionAsync(WithLocale(Payloads.DmCommand("list"), "en-US"))).Content.ReadAsStringAsync())!;
        Assert.Contains("Discord refuses my direct messages to you", list["data"]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.False(store.Subscribers[id].Active);

        var next = JsonNode.Parse(await (await app.PostInteractionAsync(WithLocale(Payloads.DmCommand("mute", ("for", "off")), "en-US"))).Content.ReadAsStringAsync())!;
        Assert.StartsWith("⚠️ Discord refused my last direct message to you", next["data"]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(store.Subscribers[id].Active);
    }

    [NodeFact]
    public async Task AChannelsListSaysThisChannel()
    {
        await using var app = await StartAsync();
        await app.PostInteractionAsync(WithLocale(Payloads.GuildCommand("subscribe", Payloads.WithManageChannels, ("query", "Drohne"), ("here", true)), "en-US"));

        var list = JsonNode.Parse(await (await app.PostInteractionAsync(WithLocale(Payloads.GuildCommand("list", Payloads.WithoutManageChannels, ("here", true)), "en-US"))).Content.ReadAsStringAsync())!;

        Assert.StartsWith("This channel's subscriptions \\(1 of 50\\):", list["data"]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(3, list["data"]!["components"]![0]!["components"]!.AsArray().Count);
    }

    [Fact]
    public void CommandNamesAndDescriptionsCarryGermanLocalizations()
    {
        var commands = DiscordCommandCatalog.Build([]);

        Assert.All(commands, c => Assert.True(c.DescriptionLocalizations!.ContainsKey("de")));
        Assert.Equal("abo", commands.Single(c => c.Name == "subscribe").NameLocalizations!["de"]);
        Assert.Equal("liste", commands.Single(c => c.Name == "list").NameLocalizations!["de"]);
        Assert.True(commands.Single(c => c.Name == "unsubscribe").Options![0].Autocomplete);
    }
}
