using System.Text;
using Alerts.Host.Tests.Fakes;
using Alerts.Host.Tests.Processes;
using Alerts.Telegram.Tests;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Alerts.Host.Tests;

/// <summary>
/// The whole service against the telegram-test-api emulator and a fake ticker on 127.0.0.1 (issue 5):
/// a user subscribes in Telegram, the ticker gains a matching and a non-matching entry, exactly one escaped alert
/// arrives within one poll interval; then /list, /unsubscribe 1, and a further change brings nothing.
/// </summary>
public sealed class TelegramEndToEndTests(ITestOutputHelper output)
{
    private const string Token = "7777:end-to-end-token";
    private const long ChatId = 31337;
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    [SkippableFact]
    public Task AUserSubscribesReceivesOneEscapedAlertAndUnsubscribes() => TelegramServiceRun.RunAsync(
        Token,
        new Dictionary<string, string> { ["Id"] = "e2e", ["Name"] = "E2E <Ticker>", ["TimeZone"] = "Europe/Berlin" },
        ticker => ticker.Add("Ältere Meldung", "Schon vor dem Test da."),
        (emulator, ticker, host) => RunScenarioAsync(emulator, ticker, host, output));

    private static async Task RunScenarioAsync(TelegramEmulator emulator, FakeFeed ticker, HostProcess host, ITestOutputHelper output)
    {
        // 1. The user subscribes (the first reply also waits for the service to start).
        await emulator.SendAsync(Token, ChatId, "/subscribe Drohne*");
        var messages = await WaitForMessagesAsync(emulator, host, 1, TimeSpan.FromSeconds(60));
        AssertRunning(host);
        Assert.Contains("Drohne*", messages[0].Text, StringComparison.Ordinal);

        // The first poll is the baseline (SPEC §2): wait until it happened, then the ticker changes.
        await ticker.Polled(times: 2).WaitAsync(TimeSpan.FromSeconds(15));
        ticker.Add("Drohnen <über> Kiew & Odessa abgefangen", "In der Nacht wurden mehrere Drohnen abgeschossen.");
        ticker.Add("Wetterbericht für Berlin", "Es bleibt trocken und kalt.");
        var changed = DateTime.UtcNow;

        // 2. Within one poll interval (plus the time to send), exactly one alert.
        messages = await WaitForMessagesAsync(emulator, host, 2, PollInterval + TimeSpan.FromSeconds(4));
        var latency = DateTime.UtcNow - changed;
        output.WriteLine($"alert arrived {latency.TotalMilliseconds:F0} ms after the ticker changed (poll interval {PollInterval.TotalSeconds} s)");
        var alert = messages[1].Text;
        Assert.StartsWith("<b>Drohnen &lt;über&gt; Kiew &amp; Odessa abgefangen</b>", alert, StringComparison.Ordinal);
        Assert.Contains("mehrere <b>Drohnen</b> abgeschossen", alert, StringComparison.Ordinal);
        Assert.Contains("E2E &lt;Ticker&gt;", alert, StringComparison.Ordinal);
        Assert.DoesNotContain("Wetterbericht", alert, StringComparison.Ordinal);
        Assert.True(latency < PollInterval + TimeSpan.FromSeconds(4), $"alert took {latency}");

        await Task.Delay(PollInterval * 2);
        Assert.Equal(2, (await emulator.BotMessagesAsync(Token, ChatId)).Count);

        // 3. /list shows the subscription, /unsubscribe 1 removes it.
        await emulator.SendAsync(Token, ChatId, "/list");
        messages = await WaitForMessagesAsync(emulator, host, 3, TimeSpan.FromSeconds(10));
        Assert.Matches(@"(?m)^1\.\s*(<b>)?Drohne\*", messages[2].Text);

        await emulator.SendAsync(Token, ChatId, "/unsubscribe 1");
        messages = await WaitForMessagesAsync(emulator, host, 4, TimeSpan.FromSeconds(10));
        Assert.DoesNotContain("⚠️", messages[3].Text, StringComparison.Ordinal);
        Assert.Contains("Drohne*", messages[3].Text, StringComparison.Ordinal);

        // 4. Another matching entry brings nothing.
        await Task.Delay(PollInterval);
        var requests = ticker.Requests;
        ticker.Add("Neue Drohnenangriffe gemeldet", "Wieder Drohnen über der Stadt.");
        await ticker.Polled(times: requests + 2).WaitAsync(TimeSpan.FromSeconds(15));
        await Task.Delay(TimeSpan.FromSeconds(1));
        var all = await emulator.BotMessagesAsync(Token, ChatId);
        foreach (var message in all)
        {
            output.WriteLine($"--- bot message {message.MessageId}:\n{message.Text}");
        }

        Assert.Equal(4, all.Count);
        AssertRunning(host);
    }

    private static void AssertRunning(HostProcess host) => Assert.False(host.HasExited, $"Alerts.Host exited:\n{host.Log}");

    /// <summary>Waits for the bot's messages in the test chat, failing at once when the service died.</summary>
    private static async Task<IReadOnlyList<EmulatedBotMessage>> WaitForMessagesAsync(TelegramEmulator emulator, HostProcess host, int count, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            AssertRunning(host);
            var messages = await emulator.BotMessagesAsync(Token, ChatId);
            if (messages.Count >= count)
            {
                return messages;
            }

            Assert.True(DateTime.UtcNow < until, $"expected {count} bot messages within {timeout}, got {messages.Count}: {string.Join(" | ", messages.Select(m => m.Text))}");
            await Task.Delay(50);
        }
    }
}
