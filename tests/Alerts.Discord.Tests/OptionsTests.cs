using System.Collections.Concurrent;
using Alerts.Core.Delivery;
using Alerts.Core.Subscriptions;
using Alerts.Discord.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Discord.Tests;

public class OptionsTests
{
    [Theory]
    [InlineData("Alerts:Discord:PublicKey", "abc", "Alerts:Discord:PublicKey")]
    [InlineData("Alerts:Discord:PublicKey", "", "Alerts:Discord:PublicKey")]
    [InlineData("Alerts:Discord:ApplicationId", "my-app", "Alerts:Discord:ApplicationId")]
    [InlineData("Alerts:Discord:ApiBaseUrl", "discord.com/api", "Alerts:Discord:ApiBaseUrl")]
    [InlineData("Alerts:Discord:GuildId", "guild", "Alerts:Discord:GuildId")]
    [InlineData("Alerts:Discord:BotToken", "Bot abc", "Alerts:Discord:BotToken")]
    [InlineData("Alerts:Discord:DeferAfter", "00:00:05", "Alerts:Discord:DeferAfter")]
    public async Task InvalidConfigurationStopsStartUpNamingTheKey(string key, string value, string named)
    {
        await using var discord = await FakeDiscordServer.StartAsync();
        // Mapping the endpoint reads the options, so validation fails there already, or at the latest on start.
        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            var app = await DiscordTestApp.StartAsync(discord, new Dictionary<string, string?> { [key] = value }, start: false);
            await app.App.StartAsync();
        });
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Bot abc", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutABotTokenTheAdapterIsOffAndTheEndpointIsNotMapped()
    {
        await using var app = await DiscordTestApp.StartAsync(settings: new Dictionary<string, string?> { ["Alerts:Discord:BotToken"] = "" });
        Assert.Empty(app.App.Services.GetServices<IAlertChannel>().SelectMany(c => c.Platforms));
        Assert.False(await app.App.Services.GetRequiredService<Commands.DiscordCommandRegistrar>().Completion);
        Assert.Empty(app.Discord.Requests);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await app.PostInteractionAsync(Payloads.Ping())).StatusCode);
    }

    [Fact]
    public void ToStringNeverShowsTheToken()
    {
        var options = new DiscordOptions { BotToken = "secret-token-value", ApplicationId = "1" };
        Assert.DoesNotContain("secret-token-value", options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheTokenIsNeverLogged()
    {
        var logs = new CapturingLoggerProvider();
        await using var app = await DiscordTestApp.StartAsync(
            settings: new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Trace" },
            services: s => s.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace)));
        app.Discord.Fault(_ => true, new FakeResponse(401, """{"message":"401: Unauthorized","code":0}"""));
        app.Discord.Fault(_ => true, new FakeResponse(500));
        var channel = app.App.Services.GetServices<IAlertChannel>().Single();
        var to = new Subscriber("discord-user:5", Platforms.DiscordUser, "5");
        await channel.SendAsync(RenderingTests.Alert(), new AlertContext("s", TimeZoneInfo.Utc), to, CancellationToken.None);
        await channel.SendAsync(RenderingTests.Alert(), new AlertContext("s", TimeZoneInfo.Utc), to, CancellationToken.None);
        app.Commands.Reply = _ => CommandReply.Ok(string.Join("\n", Enumerable.Range(1, 30).Select(i => new string('q', 100))));
        var followUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Discord.Received += r =>
        {
            if (r.Path.Contains("dm-token-list", StringComparison.Ordinal))
            {
                followUp.TrySetResult();
            }
        };
        await app.PostInteractionAsync(Payloads.DmCommand("list"));
        await followUp.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.NotEmpty(logs.Lines);
        Assert.DoesNotContain(logs.Lines, m => m.Contains("test-bot-token", StringComparison.Ordinal) || m.Contains("dm-token-list", StringComparison.Ordinal));
    }
}
