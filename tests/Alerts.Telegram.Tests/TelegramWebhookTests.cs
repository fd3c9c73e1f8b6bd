using System.Net;
using System.Text;
using Alerts.Core.Delivery;
using Alerts.Core.Subscriptions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Telegram.Tests;

/// <summary>The webhook endpoint and the adapter's registration, in a real WebApplication on 127.0.0.1.</summary>
public sealed class TelegramWebhookTests : IAsyncLifetime
{
    private const string Secret = "webhook-Secret_42";

    private readonly RecordingCommands commands = new();
    private readonly InMemorySubscriptionStore store = new();
    private readonly InMemoryKeyValueStore keyValues = new();
    private FakeBotApi api = null!;

    public async Task InitializeAsync() => api = await FakeBotApi.StartAsync();

    public async Task DisposeAsync() => await api.DisposeAsync();

    private async Task<WebApplication> StartAppAsync(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton<ISubscriptionCommands>(commands);
        builder.Services.AddSingleton<ISubscriptionStore>(store);
        builder.Services.AddSingleton<IKeyValueStore>(keyValues);
        builder.AddTelegram();
        var app = builder.Build();
        app.MapTelegramWebhook();
        await app.StartAsync();
        return app;
    }

    private Dictionary<string, string?> WebhookSettings(string token = FakeBotApi.Token) => new()
    {
        ["Alerts:Telegram:BotToken"] = token,
        ["Alerts:Telegram:ApiBaseUrl"] = api.BaseUrl,
        ["Alerts:Telegram:Mode"] = "Webhook",
        ["Alerts:Telegram:WebhookSecret"] = Secret,
    };

    private static HttpClient Client(WebApplication app) => new()
    {
        BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First()),
    };

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string json, string? secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/telegram/webhook") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (secret is not null)
        {
            request.Headers.Add("X-Telegram-Bot-Api-Secret-Token", secret);
        }

        return client.SendAsync(request);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("wrong")]
    [InlineData("webhook-secret_42")]
    [InlineData("webhook-Secret_42x")]
    public async Task AMissingOrWrongSecretIsRefusedAndNothingIsProcessed(string? secret)
    {
        await using var app = await StartAppAsync(WebhookSettings());
        using var client = Client(app);

        using var response = await PostAsync(client, Updates.MessageJson("/subscribe Drohne*"), secret);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(commands.Calls);
        Assert.Empty(store.Calls);
        Assert.Equal(0, keyValues.Writes);
        Assert.Empty(api.CallsTo("sendMessage"));
    }

    [Fact]
    public async Task AWrongSecretIsRefusedEvenWhenTheBodyIsGarbage()
    {
        await using var app = await StartAppAsync(WebhookSettings());
        using var client = Client(app);

        using var response = await PostAsync(client, "{not json", "wrong");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task TheRightSecretGetsTheUpdateHandledOnce()
    {
        await using var app = await StartAppAsync(WebhookSettings());
        using var client = Client(app);
        var json = Updates.MessageJson("/subscribe Drohne*", updateId: 777);

        using var first = await PostAsync(client, json, Secret);
        using var again = await PostAsync(client, json, Secret); // Telegram redelivers when it missed our answer

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(["subscribe telegram:42 [Drohne*]"], commands.Calls);
        Assert.Contains("Drohne*", Assert.Single(api.CallsTo("sendMessage")).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMalformedBodyWithTheRightSecretIsABadRequest()
    {
        await using var app = await StartAppAsync(WebhookSettings());
        using var client = Client(app);

        using var response = await PostAsync(client, "{not json", Secret);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(commands.Calls);
    }

    [Fact]
    public async Task WithoutATokenNothingIsRegisteredAndThereIsNoWebhook()
    {
        await using var app = await StartAppAsync(new() { ["Alerts:Telegram:BotToken"] = "" });
        using var client = Client(app);

        using var response = await PostAsync(client, Updates.MessageJson("/list"), Secret);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(app.Services.GetServices<IAlertChannel>());
    }

    [Fact]
    public async Task InPollingModeThereIsNoWebhookEndpoint()
    {
        var settings = WebhookSettings();
        settings["Alerts:Telegram:Mode"] = "Polling";
        await using var app = await StartAppAsync(settings);
        using var client = Client(app);

        using var response = await PostAsync(client, Updates.MessageJson("/list"), Secret);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Single(app.Services.GetServices<IAlertChannel>(), c => c.Platforms.Contains(Platforms.Telegram));
    }

    [Theory]
    [InlineData("not-a-token-at-all")]
    [InlineData("abc:def")]
    [InlineData("12345")]
    public async Task AMalformedTokenStopsStartUpNamingTheKeyButNeverTheToken(string token)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAppAsync(WebhookSettings(token)));

        Assert.Contains("Alerts:Telegram:BotToken", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(token, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WebhookModeWithoutASecretStopsStartUp()
    {
        var settings = WebhookSettings();
        settings["Alerts:Telegram:WebhookSecret"] = "";

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAppAsync(settings));

        Assert.Contains("Alerts:Telegram:WebhookSecret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SecretComparisonNeedsAnExactMatch()
    {
        Assert.True(TelegramWebhookApi.SecretMatches(Secret, Secret));
        Assert.False(TelegramWebhookApi.SecretMatches(Secret, ""));
        Assert.False(TelegramWebhookApi.SecretMatches(null, Secret));
        Assert.False(TelegramWebhookApi.SecretMatches(Secret[..^1], Secret));
    }
}
