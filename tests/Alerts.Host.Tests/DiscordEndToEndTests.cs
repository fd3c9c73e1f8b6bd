using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Alerts.Discord.Tests.Support;
using Alerts.Host.Tests.Fakes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NSec.Cryptography;

namespace Alerts.Host.Tests;

/// <summary>
/// The whole service with Discord on: a signed <c>/subscribe query:Drohne* here:true</c> arrives at the interactions
/// endpoint, a fake ticker (an RSS feed on 127.0.0.1, polled every 2 s) gets a new entry, and exactly one embed
/// arrives at the fake Discord API, valid against Discord's schema and with no mentions parsed.
/// </summary>
public sealed class DiscordEndToEndTests(DiscordEndToEndTests.Fixture fixture) : IClassFixture<DiscordEndToEndTests.Fixture>
{
    private const string ApplicationId = "1100000000000000001";
    private const string GuildId = "1200000000000000002";
    private const string ChannelId = "1300000000000000003";
    private const string OtherChannelId = "1300000000000000033";
    private const string UserId = "1400000000000000004";
    private const string ManageChannels = "16";
    private const string SendMessagesOnly = "2048";
    private const string Seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";

    private static readonly Key SigningKey = Key.Import(SignatureAlgorithm.Ed25519, Convert.FromHexString(Seed), KeyBlobFormat.RawPrivateKey);

    private FakeFeed Ticker => fixture.Ticker;

    private FakeDiscordServer Discord => fixture.Discord;

    [Fact]
    public async Task ASubscribedChannelGetsExactlyOneEmbedForANewMatchingEntry()
    {
        var client = fixture.Client;

        // The first poll is the baseline: it records the old entries and alerts nothing.
        await Ticker.Polled(times: 2).WaitAsync(TimeSpan.FromSeconds(30));

        var reply = await PostCommandAsync(client, "subscribe", ChannelId, ManageChannels, ("query", "Drohne*"), ("here", true));
        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        var json = JsonNode.Parse(await reply.Content.ReadAsStringAsync())!;
        Assert.Equal(4, json["type"]!.GetValue<int>());
        Assert.Equal(64, json["data"]!["flags"]!.GetValue<int>());
        var content = json["data"]!["content"]!.GetValue<string>();
        Assert.Contains(@"Drohne\*", content, StringComparison.Ordinal);
        Assert.DoesNotContain("Manage Channels", content, StringComparison.Ordinal);

        var path = $"/api/v10/channels/{ChannelId}/messages";
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Discord.Received += r =>
        {
            if (r.Path == path)
            {
                arrived.TrySetResult();
            }
        };

        Ticker.Add("Drohnenangriff auf Kiew <@&123> @everyone", "In der Nacht griffen russische Drohnen die Hauptstadt an. *Mehrere* Explosionen.");
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(60));

        // Let two more polls (and many dispatch rounds) pass: still exactly one.
        await Ticker.Polled(times: Ticker.Requests + 2).WaitAsync(TimeSpan.FromSeconds(30));
        var message = Assert.Single(Discord.Requests, r => r.Path == path);
        var body = message.Json!;
        Assert.Equal("""{"parse":[]}""", body["allowed_mentions"]!.ToJsonString());
        var embed = Assert.Single(body["embeds"]!.AsArray())!;
        Assert.Contains("**Drohnenangriff**", embed["title"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(@"\<@&123\>", embed["title"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("**Drohnen**", embed["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("E2E Ticker", embed["author"]!["name"]!.GetValue<string>());
        Assert.Equal("Bot e2e-bot-token", message.Headers["Authorization"]);

        if (NodeTools.MissingReason is null || NodeTools.IsCi)
        {
            await NodeTools.AssertValidAsync(Discord.Requests);
        }
    }

    [Fact]
    public async Task TheSameCommandWithoutManageChannelsIsRefused()
    {
        var reply = await PostCommandAsync(fixture.Client, "subscribe", OtherChannelId, SendMessagesOnly, ("query", "Drohne*"), ("here", true));

        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        var json = JsonNode.Parse(await reply.Content.ReadAsStringAsync())!;
        Assert.Equal(64, json["data"]!["flags"]!.GetValue<int>());
        Assert.Contains("Manage Channels", json["data"]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        var subscriptions = fixture.Host.Services.GetRequiredService<Core.Subscriptions.ISubscriptionStore>();
        Assert.Empty(await subscriptions.ListSubscriptionsAsync(Core.Subscriptions.Subscriber.MakeId(Core.Subscriptions.Platforms.DiscordChannel, OtherChannelId)));
        Assert.Null(await subscriptions.GetSubscriberAsync(Core.Subscriptions.Subscriber.MakeId(Core.Subscriptions.Platforms.DiscordChannel, OtherChannelId)));
    }

    [Fact]
    public async Task AnUnsignedCommandIsRejected()
    {
        var response = await fixture.Client.PostAsync("/discord/interactions", new StringContent(Command("subscribe", OtherChannelId, ManageChannels, ("query", "x")), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    /// <summary>One service for the class (a host per test is slow): the fakes, a temp SQLite database and the client.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        private readonly string dataDir = Path.Combine(Path.GetTempPath(), "alerts-discord-e2e-" + Guid.NewGuid().ToString("N"));

        internal FakeFeed Ticker { get; private set; } = null!;

        public FakeDiscordServer Discord { get; private set; } = null!;

        internal DiscordHost Host { get; private set; } = null!;

        public HttpClient Client { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Directory.CreateDirectory(dataDir);
            Ticker = await FakeFeed.StartAsync();
            var start = DateTimeOffset.UtcNow.AddHours(-2);
            Ticker.Add("Lage an der Front unverändert", "Keine größeren Angriffe gemeldet.", start);
            Ticker.Add("Drohne über Charkiw abgeschossen", "Die Luftabwehr meldet einen Abschuss.", start.AddMinutes(30));
            Discord = await FakeDiscordServer.StartAsync();
            Host = new DiscordHost(Ticker.Url, Discord.BaseUrl, dataDir);
            Client = Host.CreateClient();
        }

        public async Task DisposeAsync()
        {
            Client.Dispose();
            await Host.DisposeAsync();
            await Discord.DisposeAsync();
            await Ticker.DisposeAsync();
            try
            {
                Directory.Delete(dataDir, recursive: true);
            }
            catch (IOException)
            {
                // SQLite may still hold the file for a moment; it is only a temp dir.
            }
        }
    }

    private static Task<HttpResponseMessage> PostCommandAsync(HttpClient client, string name, string channelId, string permissions, params (string Name, object Value)[] options)
    {
        var body = Command(name, channelId, permissions, options);
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var request = new HttpRequestMessage(HttpMethod.Post, "/discord/interactions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Signature-Ed25519", Convert.ToHexStringLower(SignatureAlgorithm.Ed25519.Sign(SigningKey, Encoding.UTF8.GetBytes(timestamp + body))));
        request.Headers.Add("X-Signature-Timestamp", timestamp);
        return client.SendAsync(request);
    }

    private static string Command(string name, string channelId, string permissions, params (string Name, object Value)[] options) =>
        System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["id"] = "1600000000000000006",
            ["application_id"] = ApplicationId,
            ["type"] = 2,
            ["token"] = "e2e-interaction-token",
            ["version"] = 1,
            ["guild_id"] = GuildId,
            ["channel_id"] = channelId,
            ["member"] = new { user = new { id = UserId, username = "mod" }, permissions, roles = Array.Empty<string>() },
            ["data"] = new { id = "1700000000000000007", name, type = 1, options = options.Select(o => new { name = o.Name, type = o.Value is bool ? 5 : 3, value = o.Value }) },
        });

    /// <summary>The real service (Program) with SQLite in a temp dir, Discord on, pointed at the fakes.</summary>
    internal sealed class DiscordHost(string tickerUrl, string discordUrl, string dataDir) : WebApplicationFactory<Program>
    {
        private Dictionary<string, string?> Settings => new()
        {
            ["Alerts:Sources:0:Id"] = "e2e",
            ["Alerts:Sources:0:Name"] = "E2E Ticker",
            ["Alerts:Sources:0:Kind"] = "feed",
            ["Alerts:Sources:0:Url"] = tickerUrl,
            ["Alerts:Sources:0:PollInterval"] = "00:00:02",
            ["Alerts:Sources:0:TimeZone"] = "Europe/Berlin",
            ["Alerts:Storage:Provider"] = "Sqlite",
            ["Alerts:Storage:ConnectionString"] = $"Data Source={Path.Combine(dataDir, "alerts.db")}",
            ["Alerts:Discord:ApplicationId"] = ApplicationId,
            ["Alerts:Discord:PublicKey"] = Convert.ToHexStringLower(SigningKey.PublicKey.Export(KeyBlobFormat.RawPublicKey)),
            ["Alerts:Discord:BotToken"] = "e2e-bot-token",
            ["Alerts:Discord:ApiBaseUrl"] = discordUrl,
            ["Alerts:Dispatch:IdlePollInterval"] = "00:00:00.200",
        };

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
            foreach (var (key, value) in Settings)
            {
                builder.UseSetting(key, value);
            }

            builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(Settings));
            builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
            builder.ConfigureServices(services =>
            {
                // AddAlertsStorage reads its options while Program registers services, before a test host's configuration
                // applies: register the stores again for this test's own database (the last registration wins).
                Storage.StorageServiceCollectionExtensions.AddAlertsStorage(services, new Storage.StorageOptions
                {
                    Provider = Storage.StorageOptions.Sqlite,
                    ConnectionString = $"Data Source={Path.Combine(dataDir, "alerts.db")}",
                });
            });
        }
    }
}
