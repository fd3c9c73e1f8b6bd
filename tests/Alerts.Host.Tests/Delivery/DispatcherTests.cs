using Alerts.Core.Delivery;
using Alerts.Core.Subscriptions;
using Alerts.Host.Tests.Fakes;

namespace Alerts.Host.Tests.Delivery;

/// <summary>The dispatcher in virtual time (<see cref="Microsoft.Extensions.Time.Testing.FakeTimeProvider"/>): every send's time is exact.</summary>
public sealed class DispatcherTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly ChannelLimits TelegramLike = new(
        new RateLimitRule(30, TimeSpan.FromSeconds(1)),
        new RateLimitRule(1, TimeSpan.FromSeconds(1)),
        new RateLimitRule(20, TimeSpan.FromMinutes(1)));

    [Fact]
    public async Task SendsEveryDueAlertAndMarksItSent()
    {
        var h = new DispatchHarness(ChannelLimits.None);
        await h.AddSubscriberAsync("a");
        await h.AddSubscriberAsync("b");
        h.Enqueue([("test:a", "1"), ("test:b", "1"), ("test:a", "2")]);

        await h.RunUntilAsync(h.AllSettled, TimeSpan.FromMinutes(1));

        Assert.All(h.Store.Rows, r => Assert.Equal(OutboxStatus.Sent, r.Status));
        Assert.Equal(3, h.Channel.Sends.Count);
        Assert.Equal(3, h.Channel.Sends.Select(s => s.Id).Distinct().Count());
    }

    [Fact]
    public async Task NoSubscriberGetsMoreThanItsLimitAndTheTotalStaysUnderTheGlobalLimit()
    {
        var h = new DispatchHarness(TelegramLike);
        var alerts = new List<(string, string)>();
        for (var s = 0; s < 60; s++)
        {
            await h.AddSubscriberAsync($"u{s}");
            for (var k = 0; k < 5; k++)
            {
                alerts.Add(($"test:u{s}", $"k{k}"));
            }
        }

        h.Enqueue(alerts);
        await h.RunUntilAsync(h.AllSettled, TimeSpan.FromMinutes(5));

        Assert.All(h.Store.Rows, r => Assert.Equal(OutboxStatus.Sent, r.Status));
        var sends = h.Channel.Sends.ToArray();
        Assert.Equal(300, sends.Length);
        Assert.True(DispatchHarness.MaxInAnyWindow(sends.Select(s => s.At), TimeSpan.FromSeconds(1)) <= 30);
        foreach (var perSubscriber in sends.GroupBy(s => s.Subscriber))
        {
            Assert.Equal(1, DispatchHarness.MaxInAnyWindow(perSubscriber.Select(s => s.At), TimeSpan.FromSeconds(1)));
        }

        // The platform limit is the only bottleneck: 300 messages at 30/s take about 10 s.
        var took = sends.Max(s => s.At) - h.Start;
        Assert.InRange(took.TotalSeconds, 9, 11);
    }

    [Fact]
    public async Task AGroupGetsNoMoreThanTwentyAMinute()
    {
        var h = new DispatchHarness(TelegramLike);
        await h.AddSubscriberAsync("-100", isGroup: true);
        h.Enqueue(Enumerable.Range(0, 45).Select(i => ("test:-100", $"k{i}")));

        await h.RunUntilAsync(h.AllSettled, TimeSpan.FromMinutes(5));

        var times = h.Channel.Sends.Select(s => s.At).ToArray();
        Assert.Equal(45, times.Length);
        Assert.True(DispatchHarness.MaxInAnyWindow(times, TimeSpan.FromMinutes(1)) <= 20);
        Assert.True(DispatchHarness.MaxInAnyWindow(times, TimeSpan.FromSeconds(1)) <= 1);
    }

    [Fact]
    public async Task OneSubscribersRetryAfterDoesNotDelayTheOthers()
    {
        var h = new DispatchHarness(TelegramLike);
        await h.AddSubscriberAsync("slow");
        await h.AddSubscriberAsync("fast");
        var limitedOnce = false;
        h.Channel.Rules.Add((alert, to) =>
        {
            if (to.Id == "test:slow" && !limitedOnce)
            {
                limitedOnce = true;
                return new SendResult.RateLimited(TimeSpan.FromSeconds(30), false, "429");
            }

            return null;
        });
        h.Enqueue([("test:slow", "1"), ("test:fast", "1"), ("test:fast", "2"), ("test:fast", "3"), ("test:slow", "2")]);

        await h.RunUntilAsync(h.AllSettled, TimeSpan.FromMinutes(2));

        var sends = h.Channel.Sends.ToArray();
        var fast = sends.Where(s => s.Subscriber == "test:fast").Select(s => s.At - h.Start).ToArray();
        var slow = sends.Where(s => s.Subscriber == "test:slow").Select(s => s.At - h.Start).ToArray();
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)], fast);

        // First attempt at 0, 429 with retry_after 30 s: the retry comes exactly 30 s later, then 1/s.
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(31)], slow);
        Assert.All(h.Store.Rows, r => Assert.Equal(OutboxStatus.Sent, r.Status));
        Assert.All(h.Store.Rows, r => Assert.Equal(0, r.Alert.Attempts));
    }

    [Fact]
    public async Task AGlobalRetryAfterPausesTheWholeChannel()
    {
        var h = new DispatchHarness(ChannelLimits.None, new DispatchOptions { MaxConcurrentSends = 1 });
        await h.AddSubscriberAsync("a");
        await h.AddSubscriberAsync("b");
        var limitedOnce = false;
        h.Channel.Rules.Add((_, _) =>
        {
            if (!limitedOnce)
            {
                limitedOnce = true;
                return new SendResult.RateLimited(TimeSpan.FromSeconds(1.5), true, "global 429");
            }

            return null;
        });
        h.Enqueue([("test:a", "1"), ("test:b", "1")]);

        await h.RunUntilAsync(h.AllSettled, TimeSpan.FromMinutes(1));

        var later = h.Channel.Sends.Skip(1).ToArray();
        Assert.Equal(2, later.Length);
        Assert.All(later, s => Assert.True(s.At - h.Start >= TimeSpan.FromSeconds(1.5)));
    }

    [Fact]
    public async Task TransientFailuresRetryWithGrowingDelaysThenEndAsFailed()
    {
        var options = new DispatchOptions { MaxAttempts = 4, RetryBaseDelay = TimeSpan.FromSeconds(2) };
        var h = new DispatchHarness(ChannelLimits.None, options);
        await h.AddSubscriberAsync("a");
        h.Channel.Rules.Add((_, _) => new SendResult.Transient("HTTP 502"));
        h.Enqueue([("test:a", "1")]);

        await h.RunUntilAsync(h.AllSettled, TimeSpan.FromMinutes(5));

        var at = h.Channel.Sends.Select(s => (s.At - h.Start).TotalSeconds).ToArray();
        Assert.Equal([0d, 2d, 6d, 14d], at);
        var row = Assert.Single(h.Store.Rows);
        Assert.Equal(OutboxStatus.Failed, row.Status);
        Assert.Contains("HTTP 502", row.Reason, StringComparison.Ordinal);
        Assert.Contains("4 attempts", row.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATransientFailureThatRecoversIsSentOnce()
    {
        var h = new DispatchHarness(ChannelLimits.None);
        await h.AddSubscriberAsync("a");
        var failures = 2;
        h.Channel.Rules.Add((_, _) => failures-- > 0 ? new SendResult.Transient("timeout") : null);
        h.Enqueue([("test:a", "1")]);

        await h.RunUntilAsync(h.AllSettled, TimeSpan.FromMinutes(5));

        var row = Assert.Single(h.Store.Rows);
        Assert.Equal(OutboxStatus.Sent, row.Status);
        Assert.Equal(2, row.Alert.Attempts);
        Assert.Equal(3, h.Channel.Sends.Count);
    }

    [Fact]
    public async Task APermanentFailureEndsAsFailedWithItsReason()
    {
        var h = new DispatchHarness(ChannelLimits.None);
        await h.AddSubscriberAsync("a");
        h.Channel.Rules.Add((_, _) => new SendResult.Permanent("400 Bad Request: message is too long"));
        h.Enqueue([("test:a", "1")]);

        await h.RunUntilAsync(h.AllSettled, TimeSpan.FromMinutes(1));

        var row = Assert.Single(h.Store.Rows);
        Assert.Equal(OutboxStatus.Failed, row.Status);
        Assert.Equal("400 Bad Request: message is too long", row.Reason);
        Assert.Single(h.Channel.Sends);
    }

    [Fact]
    public async Task AGoneSubscriberIsDeactivatedAndGetsNoFurtherSends()
    {
        var h = new DispatchHarness(ChannelLimits.None, new DispatchOptions { MaxConcurrentSends = 1 });
        await h.AddSubscriberAsync("blocked");
        await h.AddSubscriberAsync("ok");
        h.Channel.Rules.Add((_, to) => to.Id == "test:blocked" ? new SendResult.SubscriberGone("403 bot was blocked by the user") : null);
        h.Enqueue([("test:blocked", "1"), ("test:blocked", "2"), ("test:ok", "1"), ("test:blocked", "3")]);

        await h.RunUntilAsync(h.AllSettled, TimeSpan.FromMinutes(1));
        h.Enqueue([("test:blocked", "4")]);
        await h.RunUntilAsync(h.AllSettled, TimeSpan.FromMinutes(1));

        Assert.Single(h.Channel.Sends, s => s.Subscriber == "test:blocked");
        Assert.Single(h.Channel.Sends, s => s.Subscriber == "test:ok");
        Assert.False((await h.Store.GetSubscriberAsync("test:blocked"))!.Active);
        Assert.All(h.Store.Rows.Where(r => r.Alert.SubscriberId == "test:blocked"), r => Assert.Equal(OutboxStatus.Failed, r.Status));
    }

    [Fact]
    public async Task AMigratedGroupGetsTheAlertAtItsNewAddress()
    {
        var h = new DispatchHarness(ChannelLimits.None);
        await h.AddSubscriberAsync("-42", isGroup: true);
        h.Channel.Rules.Add((_, to) => to.Address == "-42" ? new SendResult.Migrated("-100042") : null);
        h.Enqueue([("test:-42", "1")]);

        await h.RunUntilAsync(h.AllSettled, TimeSpan.FromMinutes(1));

        Assert.Equal(["test:-42", "test:-100042"], h.Channel.Sends.Select(s => s.Subscriber));
        var row = Assert.Single(h.Store.Rows);
        Assert.Equal(OutboxStatus.Sent, row.Status);
        Assert.Equal("test:-100042", row.Alert.SubscriberId);
        Assert.Null(await h.Store.GetSubscriberAsync("test:-42"));
    }

    [Fact]
    public async Task PausedAndInactiveSubscribersGetNothing()
    {
        var h = new DispatchHarness(ChannelLimits.None);
        await h.AddSubscriberAsync("paused");
        await h.AddSubscriberAsync("gone");
        await h.Store.SetPausedAsync("test:paused", true);
        await h.Store.DeactivateAsync("test:gone", "kicked");
        h.Enqueue([("test:paused", "1"), ("test:gone", "1")]);

        await h.RunUntilAsync(h.AllSettled, TimeSpan.FromMinutes(1));

        Assert.Empty(h.Channel.Sends);
        Assert.All(h.Store.Rows, r => Assert.Equal(OutboxStatus.Failed, r.Status));
    }

    [Fact]
    public async Task RowsOfAPlatformWithoutChannelWaitInsteadOfFailing()
    {
        var h = new DispatchHarness(ChannelLimits.None);
        await h.AddSubscriberAsync("x", platform: "discord-user");
        h.Enqueue([("discord-user:x", "1")]);

        await h.RunUntilAsync(() => false, TimeSpan.FromSeconds(5));

        var row = Assert.Single(h.Store.Rows);
        Assert.Equal(OutboxStatus.Pending, row.Status);
        Assert.Contains("no channel", row.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RowsClaimedByADispatcherThatIsGoneAreSentAtOnceWhenTheNextOneStarts()
    {
        var h = new DispatchHarness(ChannelLimits.None);
        await h.AddSubscriberAsync("a");
        h.Enqueue([("test:a", "1"), ("test:a", "2")]);
        await h.Store.ClaimDueAsync("dead-instance", 10, h.Time.GetUtcNow(), h.Options.ClaimLease);

        var rounds = 0;
        await h.Dispatcher.RunAsync("owner", () => rounds++ < 2, CancellationToken.None);

        // No virtual time passed: the claims of the dead dispatcher did not have to run out.
        Assert.Equal(2, h.Channel.Sends.Count);
        Assert.All(h.Store.Rows, r => Assert.Equal(OutboxStatus.Sent, r.Status));
    }

    [Fact]
    public async Task ADispatcherThatStopsHandsItsUnsentRowsBackDueAtOnce()
    {
        var h = new DispatchHarness(TelegramLike);
        await h.AddSubscriberAsync("a");
        h.Enqueue([("test:a", "1"), ("test:a", "2"), ("test:a", "3")]);

        var rounds = 0;
        await h.Dispatcher.RunAsync("owner", () => rounds++ < 1, CancellationToken.None);

        Assert.Single(h.Channel.Sends);
        Assert.Equal(0, h.Dispatcher.HeldCount);
        var waiting = h.Store.Rows.Where(r => r.Status == OutboxStatus.Pending).ToArray();
        Assert.Equal(2, waiting.Length);
        Assert.All(waiting, r => Assert.Null(r.LeaseOwner));
        Assert.All(waiting, r => Assert.True(r.NotBefore <= h.Time.GetUtcNow()));
    }

    [Fact]
    public async Task ABurstOfFiveForOneGroupGoesOutAsTheFirstAloneThenTheWaitingFourInOneMessage()
    {
        var h = new DispatchHarness(TelegramLike);
        h.Channel.MaxCombined = 10;
        await h.AddSubscriberAsync("-100", isGroup: true);
        var ids = h.Enqueue(Enumerable.Range(0, 5).Select(i => ("test:-100", $"k{i}")));

        await h.RunUntilAsync(h.AllSettled, TimeSpan.FromMinutes(2));

        var messages = h.Channel.Messages.ToArray();
        Assert.Equal(2, messages.Length);
        Assert.Equal([ids[0]], messages[0].Ids);
        Assert.Equal(ids.Skip(1), messages[1].Ids);
        Assert.Equal(TimeSpan.FromSeconds(1), messages[1].At - messages[0].At);
        Assert.All(h.Store.Rows, r => Assert.Equal(OutboxStatus.Sent, r.Status));
    }

    [Fact]
    public async Task AGroupsBacklogComesInMessagesOfAtMostTheChannelsCombinedSizeAndNeverMoreThanTwentyAMinute()
    {
        var h = new DispatchHarness(TelegramLike);
        h.Channel.MaxCombined = 10;
        await h.AddSubscriberAsync("-100", isGroup: true);
        var ids = h.Enqueue(Enumerable.Range(0, 45).Select(i => ("test:-100", $"k{i}")));

        await h.RunUntilAsync(h.AllSettled, TimeSpan.FromMinutes(5));

        var messages = h.Channel.Messages.ToArray();
        Assert.Equal([1, 9, 10, 10, 10, 5], messages.Select(m => m.Ids.Count));
        Assert.Equal(ids, messages.SelectMany(m => m.Ids));
        Assert.True(DispatchHarness.MaxInAnyWindow(messages.Select(m => m.At), TimeSpan.FromMinutes(1)) <= 20);
        Assert.True(DispatchHarness.MaxInAnyWindow(messages.Select(m => m.At), TimeSpan.FromSeconds(1)) <= 1);
    }

    [Fact]
    public async Task AlertsHeldBackByA429ForTheirChatGoOutTogetherAfterRetryAfter()
    {
        var h = new DispatchHarness(TelegramLike);
        h.Channel.MaxCombined = 10;
        await h.AddSubscriberAsync("a");
        var limitedOnce = false;
        h.Channel.Rules.Add((_, _) =>
        {
            if (!limitedOnce)
            {
                limitedOnce = true;
                return new SendResult.RateLimited(TimeSpan.FromSeconds(2), false, "429");
            }

            return null;
        });
        var ids = h.Enqueue([("test:a", "1"), ("test:a", "2"), ("test:a", "3")]);

        await h.RunUntilAsync(h.AllSettled, TimeSpan.FromMinutes(1));

        var messages = h.Channel.Messages.ToArray();
        Assert.Equal(2, messages.Length);
        Assert.Equal([ids[0]], messages[0].Ids);
        Assert.Equal(ids, messages[1].Ids);
        Assert.Equal(TimeSpan.FromSeconds(2), messages[1].At - messages[0].At);
    }

    [Fact]
    public async Task OneAlertAloneIsNeverCombinedAndChatsHeldOnlyByTheGlobalLimitGetOneMessageEach()
    {
        var h = new DispatchHarness(TelegramLike);
        h.Channel.MaxCombined = 10;
        var alerts = new List<(string, string)>();
        for (var s = 0; s < 90; s++)
        {
            await h.AddSubscriberAsync($"u{s}");
            alerts.Add(($"test:u{s}", "k"));
        }

        h.Enqueue(alerts);
        await h.RunUntilAsync(h.AllSettled, TimeSpan.FromMinutes(1));

        Assert.Equal(90, h.Channel.Messages.Count);
        Assert.All(h.Channel.Messages, m => Assert.Single(m.Ids));
        Assert.InRange((h.Channel.Messages.Max(m => m.At) - h.Start).TotalSeconds, 2, 3);
    }

    [Fact]
    public async Task AReplyWaitingForTheGlobalLimitGoesBeforeWaitingAlerts()
    {
        var h = new DispatchHarness(TelegramLike);
        var alerts = new List<(string, string)>();
        for (var s = 0; s < 60; s++)
        {
            await h.AddSubscriberAsync($"u{s}");
            alerts.Add(($"test:u{s}", "k"));
        }

        h.Enqueue(alerts);
        await h.RunUntilAsync(() => h.Channel.Sends.Count >= 30, TimeSpan.FromSeconds(5));
        Assert.Equal(30, h.Channel.Sends.Count);

        // The first second's 30 permits are gone: the reply waits for the next one, and takes it before any alert.
        var reply = h.Dispatcher.Limiter.AcquireForReplyAsync(h.Channel, new Subscriber("test:someone", "test", "someone"), h.Time, CancellationToken.None);
        Assert.False(reply.IsCompleted);
        await h.Dispatcher.StepAsync("owner");
        Assert.Equal(30, h.Channel.Sends.Count);
        h.Time.Advance(TimeSpan.FromSeconds(1));
        var second = h.Time.GetUtcNow();
        await h.Dispatcher.StepAsync("owner");
        await h.Dispatcher.DrainAsync();
        await reply.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(second, h.Time.GetUtcNow());
        var repliedAt = second;

        await h.RunUntilAsync(h.AllSettled, TimeSpan.FromMinutes(1));
        var sends = h.Channel.Sends.ToArray();
        Assert.Equal(60, sends.Length);
        Assert.True(sends.Count(s => s.At >= second && s.At < second + TimeSpan.FromSeconds(1)) <= 29);

        // Replies and alerts together: at most 30 in any second.
        Assert.True(DispatchHarness.MaxInAnyWindow(sends.Select(s => s.At).Append(repliedAt), TimeSpan.FromSeconds(1)) <= 30);
    }

    [Fact]
    public async Task TenThousandTelegramAlertsTakeTenThousandThirtiethsOfASecondWithinFivePercent()
    {
        var h = new DispatchHarness(TelegramLike);
        var alerts = new List<(string, string)>();
        for (var s = 0; s < 10_000; s++)
        {
            await h.AddSubscriberAsync($"u{s}");
            alerts.Add(($"test:u{s}", "k"));
        }

        h.Enqueue(alerts);
        await h.RunUntilAsync(h.AllSettled, TimeSpan.FromMinutes(10));

        var sends = h.Channel.Sends.ToArray();
        Assert.Equal(10_000, sends.Length);
        Assert.Equal(10_000, sends.Select(s => s.Id).Distinct().Count());
        var took = (sends.Max(s => s.At) - h.Start).TotalSeconds;
        output.WriteLine($"10,000 alerts to 10,000 chats at Telegram's limits took {took:F1} s of virtual time (ideal {10_000 / 30.0:F1} s)");
        Assert.InRange(took, 10_000 / 30.0 * 0.95, 10_000 / 30.0 * 1.05);
        Assert.True(DispatchHarness.MaxInAnyWindow(sends.Select(s => s.At), TimeSpan.FromSeconds(1)) <= 30);
    }
}
