using Alerts.Core.Delivery;
using Alerts.Core.Diffing;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tickers;
using Alerts.Host.Tests.Fakes;
using Alerts.Storage;
using Xunit.Abstractions;

namespace Alerts.Host.Tests.Processes;

/// <summary>
/// SPEC §6: kill the service hard in the middle of delivering 1,000 alerts, start it again on the default settings, and
/// every alert arrives, at once rather than after a claim timeout, with at most as many duplicates as were in flight
/// (the default <c>MaxConcurrentSends</c> of 8). The receiver answers after 100 ms and allows Telegram's 30/s overall
/// and 1/s per chat, so the pipeline has to be full to keep the pace.
/// </summary>
[Collection(ProcessTests.Name)]
public sealed class CrashTests(ITestOutputHelper output)
{
    private const int Subscribers = 1_000;
    private const int Items = 1;
    private const int MaxDuplicates = 8;
    private const double PerSecond = 30;

    [Fact]
    public Task NoAlertIsLostWhenTheHostIsKilledMidBurstOnSqlite() => RunAsync(StorageOptions.Sqlite);

    [SkippableFact]
    public Task NoAlertIsLostWhenTheHostIsKilledMidBurstOnPostgres() => RunAsync(StorageOptions.Postgres);

    private Task RunAsync(string provider) => TestDatabases.RunInFreshDatabaseAsync(provider, "crash", RunAsync);

    private async Task RunAsync(StorageOptions storage, string directory)
    {
        var provider = storage.Provider;
        await EnqueueAsync(storage);
        await using var hook = await FakeWebhook.StartAsync();
        hook.Delay = TimeSpan.FromMilliseconds(100);
        var settings = TestDatabases.WebhookHostSettings(storage, hook.Url);
        settings["Alerts:Polling:Enabled"] = "false";

        int atKill;
        await using (var first = HostProcess.Start(directory, settings))
        {
            await Until(() => hook.Messages.Count >= 300, TimeSpan.FromSeconds(90), first);
            first.Kill();
            atKill = hook.Messages.Count;
        }

        Assert.InRange(atKill, 300, Subscribers * Items - 1);

        var restarted = TimeProvider.System.GetTimestamp();
        await using (var second = HostProcess.Start(directory, settings))
        {
            // Everything within 1,000/30 s + 10 s of the restart: the dead process's claims did not have to run out
            // (ClaimLease is 2 minutes), and the pipeline keeps 30/s at a 100 ms round trip.
            var allowed = TimeSpan.FromSeconds((Subscribers * Items / PerSecond) + 10);
            await Until(() => hook.Distinct == Subscribers * Items, allowed, second);
            output.WriteLine($"{provider}: all delivered {TimeProvider.System.GetElapsedTime(restarted).TotalSeconds:F1} s after the restart (allowed {allowed.TotalSeconds:F1} s)");
            await using var stores = await TestDatabases.OpenAsync(storage);
            var outbox = stores.GetRequiredService<IOutboxStore>();
            await Until(() => outbox.CountByStatusAsync().Result.GetValueOrDefault(OutboxStatus.Sent) == Subscribers * Items, TimeSpan.FromSeconds(30), second);
            await second.StopAsync();
        }

        var perAlert = hook.Messages.GroupBy(m => m.Id).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Subscribers * Items, perAlert.Count);
        Assert.All(perAlert.Values, count => Assert.InRange(count, 1, 2));

        // Never faster than the receiver's limits, across the crash too (the restarted limiter starts
        // empty, so the check is over 2-second windows: at most three seconds' worth of permits).
        Assert.True(DispatchHarness.MaxInAnyWindow(hook.Messages.Select(m => m.At), TimeSpan.FromSeconds(2)) <= 3 * PerSecond);
        var duplicates = perAlert.Values.Sum(c => c - 1);
        output.WriteLine($"{provider}: killed after {atKill} deliveries; {hook.Messages.Count} deliveries in all, {duplicates} duplicates");
        Assert.InRange(duplicates, 0, MaxDuplicates);
    }

    private static async Task EnqueueAsync(StorageOptions storage)
    {
        await using var stores = await TestDatabases.OpenAsync(storage);
        var subscriptions = stores.GetRequiredService<ISubscriptionStore>();
        for (var s = 0; s < Subscribers; s++)
        {
            await subscriptions.EnsureSubscriberAsync(new Subscriber($"webhook:s{s}", "webhook", $"s{s}"));
        }

        var now = DateTimeOffset.UtcNow;
        var items = Enumerable.Range(0, Items)
            .Select(i => new TickerItem("crash", $"item-{i}", now.AddMinutes(-i), $"Headline {i}", $"Body {i}", null, ItemIdentity.ContentHash($"Headline {i}", $"Body {i}")))
            .ToList();
        var alerts = items.SelectMany(item => Enumerable.Range(0, Subscribers).Select(s => new NewAlert($"webhook:s{s}", item, "Headline", ["Headline"]))).ToList();
        await stores.GetRequiredService<ITickerStateStore>().CommitPollAsync(new PollCommit("crash", items, alerts, null, null, now));
    }

    internal static async Task Until(Func<bool> condition, TimeSpan timeout, HostProcess host)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (!condition())
        {
            if (host.HasExited)
            {
                throw new InvalidOperationException("The host exited:\n" + host.Log);
            }

            if (TimeProvider.System.GetElapsedTime(started) > timeout)
            {
                throw new TimeoutException("Condition not met in time. Host output:\n" + host.Log);
            }

            await Task.Delay(5);
        }
    }
}

/// <summary>The process tests start real hosts: one class at a time, so that two of them do not compete for 2 cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessTests
{
    public const string Name = "processes";
}
