using Alerts.Core.Delivery;
using Alerts.Core.Subscriptions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Alerts.Telegram.Tests;

/// <summary>The adapter (polling, commands, sender) against the real telegram-test-api emulator, with fake Core services.</summary>
public sealed class TelegramEmulatorTests
{
    private const string Token = "5555:emulator-token";

    [SkippableFact]
    public async Task AUserSubscribesListsAndReceivesAnEscapedAlert()
    {
        var (emulator, missing) = await TelegramEmulator.TryStartAsync();
        Skip.If(emulator is null, missing);
        await using var _ = emulator;

        var commands = new RecordingCommands();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Alerts:Telegram:BotToken"] = Token,
            ["Alerts:Telegram:ApiBaseUrl"] = emulator!.ApiUrl,
            ["Alerts:Telegram:PollingTimeoutSeconds"] = "0",
        });
        builder.Services.AddSingleton<ISubscriptionCommands>(commands);
        builder.Services.AddSingleton<ISubscriptionStore>(new InMemorySubscriptionStore());
        builder.Services.AddSingleton<IKeyValueStore>(new InMemoryKeyValueStore());
        builder.AddTelegram();
        using var host = builder.Build();
        await host.StartAsync();

        await emulator.SendAsync(Token, 4242, "/subscribe Drohne*");
        var reply = Assert.Single(await emulator.WaitForBotMessagesAsync(Token, 4242, 1, TimeSpan.FromSeconds(10)));
        Assert.Equal("Abonniert / subscribed: <b>Drohne*</b>", reply.Text);
        Assert.Equal("html", reply.ParseMode, ignoreCase: true);

        // The emulator's getMe says @TestNameBot: a command for it is taken, one for another bot is not.
        await emulator.SendAsync(Token, -100500, "/list@OtherBot", userId: 1, type: "supergroup", title: "G");
        await emulator.SendAsync(Token, -100500, "/list@TestNameBot", userId: 1, type: "supergroup", title: "G");
        await emulator.WaitForBotMessagesAsync(Token, -100500, 1, TimeSpan.FromSeconds(10));
        Assert.Equal(["subscribe telegram:4242 [Drohne*]", "list telegram:-100500"], commands.Calls);

        var channel = host.Services.GetServices<IAlertChannel>().Single(c => c.Platforms.Contains(Platforms.Telegram));
        var result = await channel.SendAsync(
            Build.Alert(headline: "Drohnen <über> Kiew & Odessa", body: "Mehrere Drohnen abgefangen."),
            Build.Context(),
            Build.Chat(4242),
            CancellationToken.None);

        Assert.IsType<SendResult.Sent>(result);
        var alert = (await emulator.WaitForBotMessagesAsync(Token, 4242, 2, TimeSpan.FromSeconds(10)))[1];
        Assert.StartsWith("<b>Drohnen &lt;über&gt; Kiew &amp; Odessa</b>", alert.Text, StringComparison.Ordinal);
        Assert.Contains("Mehrere <b>Drohnen</b> abgefangen.", alert.Text, StringComparison.Ordinal);
        Assert.True(alert.LinkPreviewDisabled);

        await host.StopAsync();
    }
}
