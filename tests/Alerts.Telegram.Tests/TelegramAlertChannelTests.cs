using System.Diagnostics;
using Alerts.Core.Delivery;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Alerts.Telegram.Tests;

/// <summary>Fault injection: the channel against a fake Bot API that answers like Telegram does when things go wrong.</summary>
public sealed class TelegramAlertChannelTests : IAsyncLifetime
{
    private FakeBotApi api = null!;

    public async Task InitializeAsync() => api = await FakeBotApi.StartAsync();

    public async Task DisposeAsync() => await api.DisposeAsync();

    private TelegramAlertChannel Channel(Action<TelegramOptions>? configure = null)
    {
        var options = Build.Options(api.BaseUrl, configure);
        return new TelegramAlertChannel(TelegramExtensions.CreateClient(options), Options.Create(options), NullLogger<TelegramAlertChannel>.Instance);
    }

    [Fact]
    public async Task SendsHtmlWithoutLinkPreviewAndReturnsTheMessageId()
    {
        var result = await Channel().SendAsync(Build.Alert(), Build.Context(), Build.Chat(42), CancellationToken.None);

        Assert.Equal(new SendResult.Sent(new PlatformMessage("42", "1")), result);
        var call = Assert.Single(api.CallsTo("sendMessage"));
        Assert.Equal(42, call.ChatId);
        Assert.Equal("html", call.Body["parse_mode"]?.GetValue<string>(), ignoreCase: true);
        Assert.True(call.Body["link_preview_options"]?["is_disabled"]?.GetValue<bool>());
        Assert.Contains("<b>Drohnen</b>", call.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEditRewritesTheSentMessageInPlaceWithEditMessageText()
    {
        IAlertChannel channel = Channel();
        var sent = Assert.IsType<SendResult.Sent>(await channel.SendAsync(Build.Alert(), Build.Context(), Build.Chat(42), CancellationToken.None));
        api.On("editMessageText", call => BotApiAnswer.Ok($$"""{"message_id":{{call.Body["message_id"]}},"date":1764600000,"chat":{"id":42,"type":"private"},"text":"x"}"""));

        var edited = await channel.EditAsync(Build.Alert(headline: "Drohnenangriff auf Kiew <abgewehrt>") with { Message = sent.Message }, Build.Context(), Build.Chat(42), CancellationToken.None);

        Assert.Equal(new SendResult.Sent(sent.Message), edited);
        var call = Assert.Single(api.CallsTo("editMessageText"));
        Assert.Equal(42, call.ChatId);
        Assert.Equal(sent.Message!.Id, call.Body["message_id"]!.ToString());
        Assert.StartsWith("<b>Drohnenangriff auf Kiew &lt;abgewehrt&gt;</b>\n", call.Text, StringComparison.Ordinal);
        Assert.Equal("html", call.Body["parse_mode"]?.GetValue<string>(), ignoreCase: true);
        Assert.Single(api.CallsTo("sendMessage"));
    }

    [Fact]
    public async Task AnEditThatChangesNothingIsDoneAndOneOfAMessageThatIsGoneIsAQuietPermanentFailure()
    {
        IAlertChannel channel = Channel();
        var alert = Build.Alert() with { Message = new PlatformMessage("42", "7") };

        api.On("editMessageText", BotApiAnswer.Error(400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"));
        Assert.Equal(new SendResult.Sent(alert.Message), await channel.EditAsync(alert, Build.Context(), Build.Chat(42), CancellationToken.None));

        api.On("editMessageText", BotApiAnswer.Error(400, "Bad Request: message to edit not found"));
        Assert.IsType<SendResult.Permanent>(await channel.EditAsync(alert, Build.Context(), Build.Chat(42), CancellationToken.None));

        api.On("editMessageText", BotApiAnswer.Error(400, "Bad Request: message can't be edited"));
        Assert.IsType<SendResult.Permanent>(await channel.EditAsync(alert, Build.Context(), Build.Chat(42), CancellationToken.None));
    }

    [Fact]
    public async Task ShowsLinkPreviewsWhenConfigured()
    {
        await Channel(o => o.DisableLinkPreviews = false).SendAsync(Build.Alert(), Build.Context(), Build.Chat(), CancellationToken.None);

        Assert.NotEqual(true, Assert.Single(api.CallsTo("sendMessage")).Body["link_preview_options"]?["is_disabled"]?.GetValue<bool>());
    }

    [Fact]
    public void DeclaresTelegramsBroadcastLimits()
    {
        var channel = Channel();

        Assert.Equal(["telegram"], channel.Platforms);
        Assert.Equal(new RateLimitRule(30, TimeSpan.FromSeconds(1)), channel.Limits.Global);
        Assert.Equal(new RateLimitRule(1, TimeSpan.FromSeconds(1)), channel.Limits.PerSubscriber);
        Assert.Equal(new RateLimitRule(20, TimeSpan.FromMinutes(1)), channel.Limits.PerGroup);
    }

    [Fact]
    public async Task AlertsAreNoPaidBroadcastsUnlessTheOperatorAllowsThem()
    {
        var free = Channel();
        await free.SendAsync(Build.Alert(), Build.Context(), Build.Chat(42), CancellationToken.None);
        var paid = Channel(o => o.AllowPaidBroadcast = true);
        await paid.SendAsync(Build.Alert(), Build.Context(), Build.Chat(42), CancellationToken.None);

        var calls = api.CallsTo("sendMessage");
        Assert.NotEqual(true, calls[0].Body["allow_paid_broadcast"]?.GetValue<bool>());
        Assert.True(calls[1].Body["allow_paid_broadcast"]?.GetValue<bool>());
        Assert.Equal(new RateLimitRule(30, TimeSpan.FromSeconds(1)), free.Limits.Global);
        Assert.Equal(new RateLimitRule(1000, TimeSpan.FromSeconds(1)), paid.Limits.Global);
        Assert.Equal(free.Limits.PerSubscriber, paid.Limits.PerSubscriber);
        Assert.Equal(free.Limits.PerGroup, paid.Limits.PerGroup);
    }

    [Fact]
    public async Task ABacklogGoesOutAsOneMessageOldestFirstEachWithHeadlineTimeAndLinkWithinTheLength()
    {
        var alerts = Enumerable.Range(1, TelegramBacklogRenderer.MaxAlerts)
            .Select(i => Build.Alert(headline: $"Eintrag {i} <b>&amp; " + new string('x', 600), url: $"https://example.test/a?i={i}&x=\"y\"", published: new DateTimeOffset(2025, 12, 1, 14, i, 0, TimeSpan.Zero)))
            .ToArray();
        IAlertChannel channel = Channel();

        Assert.Equal(10, channel.MaxCombined);
        var result = await channel.SendCombinedAsync(alerts, Build.Context(), Build.Chat(42), CancellationToken.None);

        Assert.IsType<SendResult.Sent>(result);
        var text = Assert.Single(api.CallsTo("sendMessage")).Text!;
        Assert.InRange(FakeBotApi.VisibleLength(text), 1, TelegramAlertRenderer.SafeLength);
        var positions = Enumerable.Range(1, 10).Select(i => text.IndexOf($"<b>Eintrag {i} &lt;b&gt;&amp;amp; ", StringComparison.Ordinal)).ToArray();
        Assert.All(positions, p => Assert.True(p >= 0));
        Assert.Equal(positions.Order(), positions);
        Assert.Contains("🕒 15:01 · 01.12.2025 (Europe/Berlin) · ntv.de Ukraine-Liveticker", text, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://example.test/a?i=10&amp;x=&quot;y&quot;\">", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TooManyRequestsComesBackAtOnceWithRetryAfterForThisChatOnly()
    {
        api.On("sendMessage", BotApiAnswer.Error(429, "Too Many Requests: retry after 7", """{"retry_after":7}"""));
        var watch = Stopwatch.StartNew();

        var result = await Channel().SendAsync(Build.Alert(), Build.Context(), Build.Chat(), CancellationToken.None);

        var limited = Assert.IsType<SendResult.RateLimited>(result);
        Assert.Equal(TimeSpan.FromSeconds(7), limited.RetryAfter);
        Assert.False(limited.Global);
        Assert.Single(api.CallsTo("sendMessage")); // Telegram.Bot's own retry is off: no second attempt, no sleeping
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Theory]
    [InlineData(403, "Forbidden: bot was blocked by the user")]
    [InlineData(403, "Forbidden: bot was kicked from the group chat")]
    [InlineData(403, "Forbidden: user is deactivated")]
    [InlineData(400, "Bad Request: chat not found")]
    public async Task BlockedKickedDeactivatedOrMissingChatsAreGone(int code, string description)
    {
        api.On("sendMessage", BotApiAnswer.Error(code, description));

        var result = await Channel().SendAsync(Build.Alert(), Build.Context(), Build.Chat(), CancellationToken.None);

        var gone = Assert.IsType<SendResult.SubscriberGone>(result);
        Assert.Contains(description, gone.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AGroupUpgradedToASupergroupReportsTheNewChatId()
    {
        api.On("sendMessage", BotApiAnswer.Error(400, "Bad Request: group chat was upgraded to a supergroup chat", """{"migrate_to_chat_id":-1001234567890}"""));

        var result = await Channel().SendAsync(Build.Alert(), Build.Context(), Build.Chat(-4711, group: true), CancellationToken.None);

        Assert.Equal(new SendResult.Migrated("-1001234567890"), result);
    }

    [Theory]
    [InlineData(500, "Internal Server Error")]
    [InlineData(502, "Bad Gateway")]
    public async Task ServerErrorsAreTransient(int code, string description)
    {
        api.On("sendMessage", BotApiAnswer.Error(code, description));

        Assert.IsType<SendResult.Transient>(await Channel().SendAsync(Build.Alert(), Build.Context(), Build.Chat(), CancellationToken.None));
    }

    [Fact]
    public async Task AServerErrorWithoutJsonIsTransient()
    {
        api.On("sendMessage", new BotApiAnswer(503, "<html>Service Unavailable</html>"));

        Assert.IsType<SendResult.Transient>(await Channel().SendAsync(Build.Alert(), Build.Context(), Build.Chat(), CancellationToken.None));
    }

    [Fact]
    public async Task ASlowApiTimesOutAsTransientWithinTheSendTimeout()
    {
        api.On("sendMessage", BotApiAnswer.Ok("{}") with { Delay = TimeSpan.FromSeconds(30) });
        var watch = Stopwatch.StartNew();

        var result = await Channel(o => o.SendTimeout = TimeSpan.FromMilliseconds(300)).SendAsync(Build.Alert(), Build.Context(), Build.Chat(), CancellationToken.None);

        var transient = Assert.IsType<SendResult.Transient>(result);
        Assert.Contains("timed out", transient.Reason, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task AnUnreachableApiIsTransientAndTheReasonNeverShowsTheToken()
    {
        var port = api.BaseUrl;
        await api.DisposeAsync();
        api = await FakeBotApi.StartAsync();
        var options = Build.Options(port);
        var channel = new TelegramAlertChannel(TelegramExtensions.CreateClient(options), Options.Create(options), NullLogger<TelegramAlertChannel>.Instance);

        var result = await channel.SendAsync(Build.Alert(), Build.Context(), Build.Chat(), CancellationToken.None);

        var transient = Assert.IsType<SendResult.Transient>(result);
        Assert.DoesNotContain(FakeBotApi.Token, transient.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("test-token", transient.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OtherBadRequestsArePermanent()
    {
        api.On("sendMessage", BotApiAnswer.Error(400, "Bad Request: can't parse entities: Unsupported start tag"));

        var permanent = Assert.IsType<SendResult.Permanent>(await Channel().SendAsync(Build.Alert(), Build.Context(), Build.Chat(), CancellationToken.None));
        Assert.Contains("can't parse entities", permanent.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOverlongEntryIsShortenedSoTelegramAcceptsIt()
    {
        var body = string.Join(' ', Enumerable.Repeat("Drohnen <&> über Kiew", 2000));

        var result = await Channel().SendAsync(Build.Alert(body: body), Build.Context(), Build.Chat() with { LongFormat = true }, CancellationToken.None);

        // The fake rejects anything over 4096 visible characters with "message is too long", as Telegram does.
        Assert.IsType<SendResult.Sent>(result);
        var sent = Assert.Single(api.CallsTo("sendMessage")).Text!;
        Assert.InRange(FakeBotApi.VisibleLength(sent), 3500, 4096);
    }

    [Fact]
    public async Task AnAddressThatIsNoChatIdIsPermanentWithoutCallingTelegram()
    {
        var result = await Channel().SendAsync(Build.Alert(), Build.Context(), Build.Chat() with { Address = "not-a-number" }, CancellationToken.None);

        Assert.IsType<SendResult.Permanent>(result);
        Assert.Empty(api.Calls);
    }

    [Fact]
    public async Task ARevokedTokenIsTransientSoAlertsWaitForTheOperator()
    {
        var options = Build.Options(api.BaseUrl, o => o.BotToken = "999:revoked");
        var channel = new TelegramAlertChannel(TelegramExtensions.CreateClient(options), Options.Create(options), NullLogger<TelegramAlertChannel>.Instance);

        var result = await channel.SendAsync(Build.Alert(), Build.Context(), Build.Chat(), CancellationToken.None);

        var transient = Assert.IsType<SendResult.Transient>(result);
        Assert.DoesNotContain("999:revoked", transient.Reason, StringComparison.Ordinal);
    }
}
