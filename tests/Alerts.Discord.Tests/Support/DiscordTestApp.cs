using System.Globalization;
using System.Text;
using Alerts.Core.Subscriptions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using NSec.Cryptography;

namespace Alerts.Discord.Tests.Support;

/// <summary>The application's Ed25519 key pair, from a fixed seed so that tweetnacl can derive the same one.</summary>
public static class TestKeys
{
    public const string SeedHex = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";

    private static readonly Key PrivateKey = Key.Import(SignatureAlgorithm.Ed25519, Convert.FromHexString(SeedHex), KeyBlobFormat.RawPrivateKey);

    public static string PublicKeyHex { get; } = Convert.ToHexStringLower(PrivateKey.PublicKey.Export(KeyBlobFormat.RawPublicKey));

    public static string Sign(string timestamp, string body) =>
        Convert.ToHexStringLower(SignatureAlgorithm.Ed25519.Sign(PrivateKey, Encoding.UTF8.GetBytes(timestamp + body)));

    public static string Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// The Discord adapter exactly as <c>AddDiscord</c> registers it, on Kestrel at 127.0.0.1, with recording fakes of the
/// Core stores and commands, talking to a <see cref="FakeDiscordServer"/>.
/// </summary>
public sealed class DiscordTestApp : IAsyncDisposable
{
    public const string ApplicationId = "1100000000000000001";

    private DiscordTestApp(WebApplication app, FakeDiscordServer discord, HttpClient client)
    {
        App = app;
        Discord = discord;
        Client = client;
    }

    public WebApplication App { get; }

    public FakeDiscordServer Discord { get; }

    public HttpClient Client { get; }

    internal RecordingSubscriptionCommands Commands => (RecordingSubscriptionCommands)App.Services.GetRequiredService<ISubscriptionCommands>();

    internal InMemorySubscriptionStore Subscriptions => (InMemorySubscriptionStore)App.Services.GetRequiredService<ISubscriptionStore>();

    internal InMemoryKeyValueStore KeyValues => (InMemoryKeyValueStore)App.Services.GetRequiredService<IKeyValueStore>();

    public static async Task<DiscordTestApp> StartAsync(
        FakeDiscordServer? discord = null,
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null,
        bool start = true)
    {
        discord ??= await FakeDiscordServer.StartAsync();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Alerts:Discord:ApplicationId"] = ApplicationId,
            ["Alerts:Discord:PublicKey"] = TestKeys.PublicKeyHex,
            ["Alerts:Discord:BotToken"] = "test-bot-token",
            ["Alerts:Discord:ApiBaseUrl"] = discord.BaseUrl,
            ["Alerts:Discord:RequestTimeout"] = "00:00:10",
            ["Alerts:Sources:0:Id"] = "ntv-ukraine",
            ["Alerts:Sources:0:Name"] = "ntv.de Ukraine-Liveticker",
            ["Alerts:Sources:0:Url"] = "http://127.0.0.1/ticker",
            ["Alerts:Sources:1:Id"] = "feed-demo",
            ["Alerts:Sources:1:Url"] = "http://127.0.0.1/feed",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.AddDiscord();
        builder.Services.AddSingleton<ISubscriptionCommands, RecordingSubscriptionCommands>();
        builder.Services.AddSingleton<ISubscriptionStore, InMemorySubscriptionStore>();
        builder.Services.AddSingleton<IKeyValueStore, InMemoryKeyValueStore>();
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapDiscordInteractions();
        if (start)
        {
            await app.StartAsync();
        }

        var client = new HttpClient();
        if (start)
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            client.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        }

        return new DiscordTestApp(app, discord, client);
    }

    /// <summary>Posts a body to the interactions endpoint, signed unless told otherwise.</summary>
    public Task<HttpResponseMessage> PostInteractionAsync(string body, string? timestamp = null, string? signature = null, bool sign = true)
    {
        timestamp ??= TestKeys.Now();
        var request = new HttpRequestMessage(HttpMethod.Post, "discord/interactions")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (sign)
        {
            request.Headers.TryAddWithoutValidation("X-Signature-Ed25519", signature ?? TestKeys.Sign(timestamp, body));
            request.Headers.TryAddWithoutValidation("X-Signature-Timestamp", timestamp);
        }

        return Client.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        await Discord.DisposeAsync();
    }
}

/// <summary>Interaction payloads as Discord sends them.</summary>
public static class Payloads
{
    public const string GuildId = "1200000000000000002";
    public const string ChannelId = "1300000000000000003";
    public const string UserId = "1400000000000000004";

    /// <summary>Manage Channels (1 &lt;&lt; 4) plus Send Messages, as a decimal string.</summary>
    public const string WithManageChannels = "2064";

    /// <summary>Send Messages and View Channel only.</summary>
    public const string WithoutManageChannels = "3072";

    public static string Ping() => """{"id":"1500000000000000005","application_id":"1100000000000000001","type":1,"token":"ping-token","version":1}""";

    public static string GuildCommand(string name, string permissions, params (string Name, object Value)[] options) =>
        System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["id"] = "1600000000000000006",
            ["application_id"] = DiscordTestApp.ApplicationId,
            ["type"] = 2,
            ["token"] = "interaction-token-" + name,
            ["version"] = 1,
            ["guild_id"] = GuildId,
            ["channel_id"] = ChannelId,
            ["channel"] = new { id = ChannelId, type = 0 },
            ["member"] = new { user = new { id = UserId, username = "mod" }, permissions, roles = Array.Empty<string>() },
            ["data"] = new { id = "1700000000000000007", name, type = 1, options = options.Select(o => new { name = o.Name, type = o.Value is bool ? 5 : 3, value = o.Value }) },
        });

    public static string DmCommand(string name, params (string Name, object Value)[] options) =>
        System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["id"] = "1600000000000000008",
            ["application_id"] = DiscordTestApp.ApplicationId,
            ["type"] = 2,
            ["token"] = "dm-token-" + name,
            ["version"] = 1,
            ["channel_id"] = "1800000000000000009",
            ["user"] = new { id = UserId, username = "reader" },
            ["data"] = new { id = "1700000000000000007", name, type = 1, options = options.Select(o => new { name = o.Name, type = o.Value is bool ? 5 : 3, value = o.Value }) },
        });
}
