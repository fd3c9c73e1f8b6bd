using Alerts.Discord.Rest;
using Microsoft.Extensions.Time.Testing;

namespace Alerts.Discord.Tests;

public class RateLimiterTests
{
    private const string Route = "POST /channels/{id}/messages";
    private static readonly RateLimitHeaders NoHeaders = new(null, null, null, null, false);

    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void AnExhaustedBucketBlocksItsChannelUntilItResets()
    {
        var limiter = new DiscordRateLimiter(time);
        Assert.Null(limiter.TryAcquire(Route, "1", true));
        limiter.OnResponse(Route, "1", 200, new RateLimitHeaders("abc", 0, TimeSpan.FromSeconds(2.5), null, false), null, false);

        var block = limiter.TryAcquire(Route, "1", true);
        Assert.NotNull(block);
        Assert.Equal(TimeSpan.FromSeconds(2.5), block.RetryAfter);
        Assert.False(block.Global);
        Assert.Null(limiter.TryAcquire(Route, "2", true));

        time.Advance(TimeSpan.FromSeconds(2.5));
        Assert.Null(limiter.TryAcquire(Route, "1", true));
    }

    [Fact]
    public void PermitsAreSpentBeforeResponsesArriveSoConcurrentSendersCannotOverdraw()
    {
        var limiter = new DiscordRateLimiter(time);
        limiter.OnResponse(Route, "1", 200, new RateLimitHeaders("abc", 2, TimeSpan.FromSeconds(5), null, false), null, false);
        Assert.Null(limiter.TryAcquire(Route, "1", true));
        Assert.Null(limiter.TryAcquire(Route, "1", true));
        Assert.NotNull(limiter.TryAcquire(Route, "1", true));
    }

    [Fact]
    public void AllowsFiftyBotRequestsPerSecond()
    {
        var limiter = new DiscordRateLimiter(time);
        for (var i = 0; i < DiscordRateLimiter.GlobalPerSecond; i++)
        {
            Assert.Null(limiter.TryAcquire(Route, i.ToString(System.Globalization.CultureInfo.InvariantCulture), true));
        }

        var block = limiter.TryAcquire(Route, "x", true);
        Assert.NotNull(block);
        Assert.True(block.Global);
        Assert.Equal(TimeSpan.FromSeconds(1), block.RetryAfter);
        // Interaction webhooks are not bound to the global limit.
        Assert.Null(limiter.TryAcquire("PATCH /webhooks/{app}/{token}/messages/@original", "t", false));

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(limiter.TryAcquire(Route, "x", true));
    }

    [Fact]
    public void AGlobal429BlocksEverythingForRetryAfter()
    {
        var limiter = new DiscordRateLimiter(time);
        limiter.OnResponse(Route, "1", 429, NoHeaders with { Global = true }, TimeSpan.FromSeconds(4), true);
        var block = limiter.TryAcquire("POST /users/@me/channels", "", true);
        Assert.NotNull(block);
        Assert.True(block.Global);
        Assert.Equal(TimeSpan.FromSeconds(4), block.RetryAfter);
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.Null(limiter.TryAcquire("POST /users/@me/channels", "", true));
    }

    [Fact]
    public void InvalidRequestGuardStopsAtHalfOfDiscordsBanThresholdAndRecoversAfterTheWindow()
    {
        var limiter = new DiscordRateLimiter(time);
        for (var i = 0; i < DiscordRateLimiter.InvalidRequestLimit - 1; i++)
        {
            limiter.OnResponse(Route, "1", i % 3 == 0 ? 401 : 403, NoHeaders, null, false);
        }

        // Shared-scope 429s and other errors are not counted.
        limiter.OnResponse(Route, "2", 429, NoHeaders with { Scope = "shared" }, TimeSpan.Zero, false);
        limiter.OnResponse(Route, "2", 400, NoHeaders, null, false);
        limiter.OnResponse(Route, "2", 404, NoHeaders, null, false);
        Assert.Null(limiter.TryAcquire(Route, "3", true));

        time.Advance(TimeSpan.FromMinutes(1));
        limiter.OnResponse(Route, "1", 403, NoHeaders, null, false);
        Assert.Equal(DiscordRateLimiter.InvalidRequestLimit, limiter.InvalidRequestCount);
        var block = limiter.TryAcquire(Route, "4", true);
        Assert.NotNull(block);
        Assert.True(block.Global);
        Assert.Equal(TimeSpan.FromMinutes(9), block.RetryAfter);

        time.Advance(TimeSpan.FromMinutes(9));
        Assert.Null(limiter.TryAcquire(Route, "4", true));
        Assert.Equal(1, limiter.InvalidRequestCount);
    }
}
