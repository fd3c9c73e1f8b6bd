using System.Text.Json.Nodes;
using Alerts.Core.Delivery;
using Alerts.Core.Subscriptions;
using Alerts.Discord.Sending;
using Alerts.Discord.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Alerts.Discord.Tests;

public sealed class AlertChannelTests : IAsyncLifetime
{
    private const string Channel = "1300000000000000003";
    private const string OtherChannel = "1300000000000000033";
    private const string User = "1400000000000000004";

    private static readonly AlertContext Context = new("ntv.de Ukraine-Liveticker", TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));
    private static readonly Subscriber ToChannel = new(Subscriber.MakeId(Platforms.DiscordChannel, Channel), Platforms.DiscordChannel, Channel, IsGroup: true);
    private static readonly Subscriber ToOtherChannel = new(Subscriber.MakeId(Platforms.DiscordChannel, OtherChannel), Platforms.DiscordChannel, OtherChannel, IsGroup: true);
    private static readonly Subscriber ToUser = new(Subscriber.MakeId(Platforms.DiscordUser, User), Platforms.DiscordUser, User);

    private readonly FakeTimeProvider time = new(DateTimeOffset.UtcNow);
    private DiscordTestApp app = null!;
    private IAlertChannel channel = null!;

    private FakeDiscordServer Discord => app.Discord;

    public async Task InitializeAsync()
    {
        // Not started: no endpoint and no command registration, only the services.
        app = await DiscordTestApp.StartAsync(services: s => s.AddSingleton<TimeProvider>(time), start: false);
        channel = app.App.Services.GetServices<IAlertChannel>().Single();
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    private Task<SendResult> Send(Subscriber to) =>
        channel.SendAsync(RenderingTests.Alert(headline: "Drohnen über @everyone <@123>"), Context, to, CancellationToken.None);

    private int Messages(string channel) => Discord.To("POST", $"/channels/{channel}/messages").Count;

    [Fact]
    public void DeclaresBothDiscordPlatformsAndTheGlobalLimit()
    {
        Assert.Equal([Platforms.DiscordUser, Platforms.DiscordChannel], channel.Platforms);
        Assert.Equal(new RateLimitRule(50, TimeSpan.FromSeconds(1)), channel.Limits.Global);
    }

    [Fact]
    public async Task PostsOneEmbedToAChannelWithNoMentionsParsed()
    {
        var result = await Send(ToChannel);

        Assert.IsType<SendResult.Sent>(result);
        var request = Assert.Single(Discord.Requests);
        Assert.Equal($"/api/v10/channels/{Channel}/messages", request.Path);
        Assert.Equal("Bot test-bot-token", request.Headers["Authorization"]);
        Assert.StartsWith("DiscordBot (", request.Headers["User-Agent"], StringComparison.Ordinal);
        var json = request.Json!;
        Assert.Equal("[]", json["allowed_mentions"]!["parse"]!.ToJsonString());
        var embed = Assert.Single(json["embeds"]!.AsArray())!;
        Assert.Equal(@"**Drohnen** über @everyone \<@123\>", embed["title"]!.GetValue<string>());
    }

    [Fact]
    public async Task ABacklogGoesOutAsOneMessageWithOneLinkedEmbedPerAlertOldestFirstAndNoMentionsParsed()
    {
        var alerts = Enumerable.Range(1, 10)
            .Select(i => RenderingTests.Alert(headline: $"Eintrag {i} @everyone") with { Id = i, Published = new DateTimeOffset(2025, 12, 1, 14, i, 0, TimeSpan.Zero) })
            .ToArray();

        Assert.Equal(10, channel.MaxCombined);
        var result = await channel.SendCombinedAsync(alerts, Context, ToChannel, CancellationToken.None);

        Assert.IsType<SendResult.Sent>(result);
        var json = Assert.Single(Discord.Requests).Json!;
        Assert.Equal("[]", json["allowed_mentions"]!["parse"]!.ToJsonString());
        var embeds = json["embeds"]!.AsArray();
        Assert.Equal(10, embeds.Count);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"Eintrag {i} @everyone"), embeds.Select(e => e!["title"]!.GetValue<string>()));
        Assert.All(embeds, e => Assert.StartsWith("https://", e!["url"]!.GetValue<string>(), StringComparison.Ordinal));
        Assert.Contains("01.12.2025 15:01 (Europe/Berlin) · ntv.de Ukraine-Liveticker", embeds[0]!["footer"]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(embeds.Sum(e => e!["title"]!.GetValue<string>().Length + e["footer"]!["text"]!.GetValue<string>().Length) <= 6000);
    }

    [Fact]
    public async Task OpensADmChannelOnceAndRemembersIt()
    {
        Assert.IsType<SendResult.Sent>(await Send(ToUser));
        Assert.IsType<SendResult.Sent>(await Send(ToUser));

        var dm = Assert.Single(Discord.To("POST", "/users/@me/channels"));
        Assert.Equal(User, dm.Json!["recipient_id"]!.GetValue<string>());
        Assert.Equal(2, Messages("7" + User));
        Assert.Equal("7" + User, app.KeyValues.Values[DiscordDmChannels.Key(User)]);
    }

    [Fact]
    public async Task A429WaitsRetryAfterForThatBucketOnly()
    {
        Discord.Fault(r => r.Path.Contains(Channel, StringComparison.Ordinal), new FakeResponse(429, """{"message":"You are being rate limited.","retry_after":3.5,"global":false}""", new Dictionary<string, string>
        {
            ["X-RateLimit-Bucket"] = "msgbucket", ["X-RateLimit-Limit"] = "5", ["X-RateLimit-Remaining"] = "0", ["X-RateLimit-Reset-After"] = "3.5", ["X-RateLimit-Scope"] = "user",
        }));

        var limited = Assert.IsType<SendResult.RateLimited>(await Send(ToChannel));
        Assert.Equal(TimeSpan.FromSeconds(3.5), limited.RetryAfter);
        Assert.False(limited.Global);

        // Next: the same channel is not asked again until retry_after has passed; other channels carry on.
        Assert.IsType<SendResult.RateLimited>(await Send(ToChannel));
        Assert.Equal(1, Messages(Channel));
        Assert.IsType<SendResult.Sent>(await Send(ToOtherChannel));

        time.Advance(TimeSpan.FromSeconds(3.5));
        Assert.IsType<SendResult.Sent>(await Send(ToChannel));
        Assert.Equal(2, Messages(Channel));
    }

    [Fact]
    public async Task AnExhaustedBucketIsNotCalledUntilItResets()
    {
        Discord.Fault(r => r.Path.Contains(Channel, StringComparison.Ordinal), new FakeResponse(200, """{"id":"1"}""", new Dictionary<string, string>
        {
            ["X-RateLimit-Bucket"] = "msgbucket", ["X-RateLimit-Remaining"] = "0", ["X-RateLimit-Reset-After"] = "2",
        }));

        Assert.IsType<SendResult.Sent>(await Send(ToChannel));
        var limited = Assert.IsType<SendResult.RateLimited>(await Send(ToChannel));
        Assert.Equal(TimeSpan.FromSeconds(2), limited.RetryAfter);
        Assert.Equal(1, Messages(Channel));

        time.Advance(TimeSpan.FromSeconds(2));
        Assert.IsType<SendResult.Sent>(await Send(ToChannel));
    }

    [Fact]
    public async Task AGlobal429StopsEverySendUntilRetryAfter()
    {
        Discord.Fault(_ => true, new FakeResponse(429, """{"message":"You are being rate limited.","retry_after":1.25,"global":true}""", new Dictionary<string, string>
        {
            ["X-RateLimit-Global"] = "true", ["X-RateLimit-Scope"] = "global",
        }));

        var limited = Assert.IsType<SendResult.RateLimited>(await Send(ToChannel));
        Assert.True(limited.Global);
        Assert.Equal(TimeSpan.FromSeconds(1.25), limited.RetryAfter);

        var other = Assert.IsType<SendResult.RateLimited>(await Send(ToOtherChannel));
        Assert.True(other.Global);
        Assert.IsType<SendResult.RateLimited>(await Send(ToUser));
        Assert.Single(Discord.Requests);

        time.Advance(TimeSpan.FromSeconds(1.25));
        Assert.IsType<SendResult.Sent>(await Send(ToOtherChannel));
    }

    [Theory]
    [InlineData(403, """{"message":"Cannot send messages to this user","code":50007}""")]
    [InlineData(403, """{"message":"Missing Access","code":50001}""")]
    [InlineData(400, """{"message":"Cannot send messages to this user","code":50007}""")]
    [InlineData(404, """{"message":"Unknown Channel","code":10003}""")]
    public async Task ForbiddenAndCannotSendDeactivateTheSubscriber(int status, string body)
    {
        Discord.Fault(r => r.Path.Contains(Channel, StringComparison.Ordinal), new FakeResponse(status, body));

        var result = await Send(ToChannel);
        Assert.True(result is SendResult.SubscriberGone, $"expected SubscriberGone, got {result}");

        // Next: nothing sticky beyond that subscriber; the next alert elsewhere goes out.
        Assert.IsType<SendResult.Sent>(await Send(ToOtherChannel));
    }

    [Fact]
    public async Task A403WhenOpeningTheDmDeactivatesTheUser()
    {
        Discord.Fault(r => r.Path.EndsWith("/users/@me/channels", StringComparison.Ordinal), new FakeResponse(403, """{"message":"Cannot send messages to this user","code":50007}"""));

        var gone = Assert.IsType<SendResult.SubscriberGone>(await Send(ToUser));
        Assert.Contains("50007", gone.Reason, StringComparison.Ordinal);
        Assert.Equal(0, Messages("7" + User));
        Assert.False(app.KeyValues.Values.ContainsKey(DiscordDmChannels.Key(User)));
    }

    [Fact]
    public async Task AWrongTokenPausesTheChannelInsteadOfLosingAlerts()
    {
        Discord.Fault(_ => true, new FakeResponse(401, """{"message":"401: Unauthorized","code":0}"""));
        var paused = Assert.IsType<SendResult.RateLimited>(await Send(ToChannel));
        Assert.True(paused.Global);
        Assert.Equal(TimeSpan.FromMinutes(1), paused.RetryAfter);
        Assert.Contains("Alerts:Discord:BotToken", paused.Reason, StringComparison.Ordinal);

        // Next: once the token works again, the alert goes out.
        Assert.IsType<SendResult.Sent>(await Send(ToChannel));
    }

    [Fact]
    public async Task OtherClientErrorsArePermanent()
    {
        Discord.Fault(_ => true, new FakeResponse(400, """{"message":"Invalid Form Body","code":50035}"""));
        var failed = Assert.IsType<SendResult.Permanent>(await Send(ToChannel));
        Assert.Contains("Invalid Form Body", failed.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(400, """{"message":"Bad request, you sent Authorization: Bot test-bot-token","code":0}""")]
    [InlineData(502, "<html>proxy error; request headers: Authorization: Bot test-bot-token</html>")]
    public async Task AnErrorBodyThatEchoesTheTokenIsRedactedBeforeItIsKept(int status, string body)
    {
        Discord.Fault(_ => true, new FakeResponse(status, body));

        var result = await Send(ToChannel);

        var reason = result switch
        {
            SendResult.Permanent p => p.Reason,
            SendResult.Transient t => t.Reason,
            _ => throw new InvalidOperationException(result.ToString()),
        };
        Assert.DoesNotContain("test-bot-token", reason, StringComparison.Ordinal);
        Assert.Contains("Authorization: Bot ***", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerErrorsAreTransientAndTheRetrySucceeds()
    {
        Discord.Fault(_ => true, new FakeResponse(500, """{"message":"500: Internal Server Error","code":0}"""));

        Assert.IsType<SendResult.Transient>(await Send(ToChannel));
        Assert.IsType<SendResult.Sent>(await Send(ToChannel));
        Assert.Equal(2, Messages(Channel));
    }

    [Fact]
    public async Task ATimeoutIsTransientAndTheRetrySucceeds()
    {
        await using var app = await DiscordTestApp.StartAsync(settings: new Dictionary<string, string?> { ["Alerts:Discord:RequestTimeout"] = "00:00:01" }, start: false);
        var channel = app.App.Services.GetServices<IAlertChannel>().Single();
        app.Discord.Fault(_ => true, new FakeResponse(200, """{"id":"1"}""", Delay: TimeSpan.FromSeconds(30)));

        var started = DateTime.UtcNow;
        var result = Assert.IsType<SendResult.Transient>(await channel.SendAsync(RenderingTests.Alert(), Context, ToChannel, CancellationToken.None));
        Assert.Contains("no answer within 1 s", result.Reason, StringComparison.Ordinal);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(20));

        // Next: the retry goes out and succeeds.
        Assert.IsType<SendResult.Sent>(await channel.SendAsync(RenderingTests.Alert(), Context, ToChannel, CancellationToken.None));
        Assert.Equal(2, app.Discord.To("POST", $"/channels/{Channel}/messages").Count);
    }

    [Fact]
    public async Task AnUnreachableApiIsTransient()
    {
        await using var app = await DiscordTestApp.StartAsync(settings: new Dictionary<string, string?> { ["Alerts:Discord:ApiBaseUrl"] = "http://127.0.0.1:1/api/v10/" }, start: false);
        var channel = app.App.Services.GetServices<IAlertChannel>().Single();
        Assert.IsType<SendResult.Transient>(await channel.SendAsync(RenderingTests.Alert(), Context, ToChannel, CancellationToken.None));
    }

    [Fact]
    public async Task FailuresOfTheStoreComeBackAsTransientInsteadOfThrowing()
    {
        await using var app = await DiscordTestApp.StartAsync(services: s => s.AddSingleton<IKeyValueStore, ThrowingKeyValueStore>(), start: false);
        var channel = app.App.Services.GetServices<IAlertChannel>().Single();
        var result = await channel.SendAsync(RenderingTests.Alert(), Context, ToUser, CancellationToken.None);
        Assert.Contains("store down", Assert.IsType<SendResult.Transient>(result).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryMessageBodyForbidsMentions()
    {
        Discord.Fault(_ => true, new FakeResponse(500));
        await Send(ToChannel);
        await Send(ToUser);
        await Send(ToOtherChannel);

        var messages = Discord.Requests.Where(r => r.IsMessageBody).ToList();
        Assert.Equal(3, messages.Count);
        Assert.All(messages, m => Assert.Equal("""{"parse":[]}""", m.Json!["allowed_mentions"]!.ToJsonString()));
    }

    [NodeFact]
    public async Task EveryRequestBodyIsValidAgainstDiscordsSchemas()
    {
        await Send(ToChannel);
        await Send(ToUser);
        await channel.SendAsync(RenderingTests.Alert(string.Concat(Enumerable.Repeat("Drohnen *x* ", 100)), string.Concat(Enumerable.Repeat("Drohnen _y_ ", 1000)), url: null), Context, ToOtherChannel, CancellationToken.None);

        Assert.Equal(4, Discord.Requests.Count);
        await NodeTools.AssertValidAsync(Discord.Requests);
    }

    private sealed class ThrowingKeyValueStore : IKeyValueStore
    {
        public Task<string?> GetAsync(string key, CancellationToken cancellationToken = default) => throw new InvalidOperationException("store down");

        public Task SetAsync(string key, string value, CancellationToken cancellationToken = default) => throw new InvalidOperationException("store down");

        public Task SetAsync(string key, string value, DateTimeOffset expiresAt, CancellationToken cancellationToken = default) => throw new InvalidOperationException("store down");
    }
}
