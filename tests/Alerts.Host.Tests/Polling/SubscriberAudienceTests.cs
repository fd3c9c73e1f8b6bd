using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tickers;
using Alerts.Host.Polling;
using Alerts.Host.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Alerts.Host.Tests.Polling;

/// <summary>Who is alerted when chats mute (issue 11): /mute silences a chat, an alert's mute button one subscription.</summary>
public sealed class SubscriberAudienceTests
{
    private static readonly DateTimeOffset Now = new(2025, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly InMemoryAlertStore store = new();
    private readonly FakeTimeProvider time = new(Now);
    private readonly SubscriberAudience audience;

    public SubscriberAudienceTests() =>
        audience = new SubscriberAudience(new MatcherSync(new MatcherIndex(), store, NullLogger<MatcherSync>.Instance), store, time);

    private static TickerItem Item(string headline) => new("ntv-ukraine", headline, Now, headline, "", null, "h");

    private async Task<Subscriber> ChatAsync(string id)
    {
        return await store.EnsureSubscriberAsync(new Subscriber(id, Platforms.Telegram, id[(id.IndexOf(':') + 1)..]));
    }

    [Fact]
    public async Task AMutedSubscriptionDoesNotFireWhileTheChatsOtherSubscriptionsStillDo()
    {
        var anna = await ChatAsync("telegram:1");
        var drohne = await store.AddSubscriptionAsync(anna.Id, "Drohne", null, Now);
        await store.AddSubscriptionAsync(anna.Id, "Kiew", null, Now.AddSeconds(1));
        await store.SetSubscriptionMutedUntilAsync(drohne.Id, Now.AddHours(1));

        var matcher = await audience.GetMatcherAsync(CancellationToken.None);

        Assert.Empty(matcher.Match(Item("Drohnen über Odessa")));
        var both = Assert.Single(matcher.Match(Item("Drohnen über Kiew")));
        Assert.Equal("Kiew", both.Query);

        time.Advance(TimeSpan.FromHours(1));
        var again = await audience.GetMatcherAsync(CancellationToken.None);
        Assert.Equal("Drohne", Assert.Single(again.Match(Item("Drohnen über Odessa"))).Query);
    }

    [Fact]
    public async Task AMutedChatReceivesNothingUntilTheMuteEnds()
    {
        var ben = await ChatAsync("telegram:2");
        await store.SaveSettingsAsync(ben with { MutedUntil = Now.AddMinutes(30) });

        Assert.False(await audience.IsReceivingAsync(ben.Id, CancellationToken.None));
        time.Advance(TimeSpan.FromMinutes(30));
        Assert.True(await audience.IsReceivingAsync(ben.Id, CancellationToken.None));
    }
}
