using Alerts.Host.Tests.Fakes;
using Alerts.Host.Tests.Processes;
using Alerts.Telegram.Tests;
using Xunit.Abstractions;

namespace Alerts.Host.Tests;

/// <summary>
/// An alert follows its entry (SPEC §4, issue 11), through the whole service: a German user subscribes in the
/// telegram-test-api emulator (answering every Bot API call 150 ms late, as Telegram does), the fake ticker gains a
/// matching entry and the alert arrives; the next poll shows the entry's headline and body corrected, and the same
/// message is edited with <c>editMessageText</c>, its buttons kept, and no second message is sent.
/// </summary>
public sealed class TelegramEditEndToEndTests(ITestOutputHelper output)
{
    private const string Token = "7777:edit-token";
    private const long ChatId = 31338;
    private static readonly TimeSpan RoundTrip = TimeSpan.FromMilliseconds(150);

    [SkippableFact]
    public Task ACorrectedEntryEditsTheAlertItAlreadySentInsteadOfSendingAnother() => TelegramServiceRun.RunAsync(
        Token,
        new Dictionary<string, string> { ["Id"] = "e2e", ["Name"] = "E2E-Ticker" },
        ticker => ticker.Add("Ältere Meldung", "Schon vor dem Test da."),
        RunScenarioAsync,
        RoundTrip);

    private async Task RunScenarioAsync(TelegramEmulator emulator, FakeFeed ticker, HostProcess host)
    {
        await emulator.SendAsync(Token, ChatId, "/abo Drohne", languageCode: "de");
        var messages = await WaitAsync(emulator, host, m => m.Count >= 1, TimeSpan.FromSeconds(60), "the subscription reply");
        Assert.StartsWith("Abonniert #1", messages[0].Text, StringComparison.Ordinal);

        // The first poll is the baseline; then a matching entry with a typo appears and is alerted.
        await ticker.Polled(times: 2).WaitAsync(TimeSpan.FromSeconds(15));
        ticker.Add("Drohnen über Kiw", "Erste Meldung aus der Nacht.");
        messages = await WaitAsync(emulator, host, m => m.Count >= 2, TimeSpan.FromSeconds(15), "the alert");
        var alert = messages[1];
        Assert.StartsWith("<b>Drohnen über Kiw</b>\n", alert.Text, StringComparison.Ordinal);
        Assert.Equal(["🔕 1 Stunde", "🔕 Bis 7 Uhr", "✖ Beenden"], alert.Buttons!.Single().Select(b => b.Text));

        // The ticker corrects the headline and adds to the body: the next poll edits that same message.
        var requests = ticker.Requests;
        ticker.Update(2, "Drohnen über Kiew", "Erste Meldung aus der Nacht. Zwei Drohnen wurden abgeschossen.");
        messages = await WaitAsync(emulator, host, m => m[1].Edits is { Count: 1 }, TimeSpan.FromSeconds(15), "the edit");
        var edited = messages[1];
        Assert.Equal(alert.MessageId, edited.MessageId);
        Assert.Equal(alert.Text, edited.Edits!.Single());
        Assert.StartsWith("<b>Drohnen über Kiew</b>\n", edited.Text, StringComparison.Ordinal);
        Assert.Contains("Zwei <b>Drohnen</b> wurden abgeschossen.", edited.Text, StringComparison.Ordinal);
        Assert.Contains("🔎 Abo #1: Drohne", edited.Text, StringComparison.Ordinal);
        Assert.Equal(["🔕 1 Stunde", "🔕 Bis 7 Uhr", "✖ Beenden"], edited.Buttons!.Single().Select(b => b.Text));

        // Two more polls of the unchanged page: no further edit, and never a second alert.
        await ticker.Polled(times: ticker.Requests + 2).WaitAsync(TimeSpan.FromSeconds(15));
        await Task.Delay(RoundTrip * 4);
        var all = await emulator.BotMessagesAsync(Token, ChatId);
        Assert.Equal(2, all.Count);
        Assert.Single(all[1].Edits!);
        Assert.True(ticker.Requests > requests);
        output.WriteLine($"alert as sent:\n{alert.Text}\n\nafter the edit:\n{all[1].Text}");
        Assert.False(host.HasExited, host.Log);
    }

    private static async Task<IReadOnlyList<EmulatedBotMessage>> WaitAsync(TelegramEmulator emulator, HostProcess host, Func<IReadOnlyList<EmulatedBotMessage>, bool> done, TimeSpan timeout, string what)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            Assert.False(host.HasExited, $"Alerts.Host exited:\n{host.Log}");
            var messages = await emulator.BotMessagesAsync(Token, ChatId);
            if (messages.Count > 0 && done(messages))
            {
                return messages;
            }

            Assert.True(DateTime.UtcNow < until, $"no {what} within {timeout}; bot messages: {string.Join(" | ", messages.Select(m => m.Text))}");
            await Task.Delay(50);
        }
    }
}
