using System.Text;
using System.Text.RegularExpressions;
using Alerts.Core.Delivery;
using Alerts.Core.Diffing;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tickers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Alerts.Telegram.Tests;

/// <summary>
/// Issue 11's flows as a German and an English user live them, against the telegram-test-api emulator with the real
/// Core commands: /start, a one-tap example, an alert with buttons, muting and ending from the alert, a query error,
/// plain words, a deep link, a corrected operator, /stop. Each test writes the transcript the emulator recorded to
/// <c>transcripts/*.txt</c> next to the test binaries (and to the test output).
/// </summary>
public sealed class ChatFlowEmulatorTests(ITestOutputHelper output)
{
    private const string Token = "7777:flow-token";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private static readonly SourceDefinition Ntv = new() { Id = "ntv-ukraine", Name = "ntv.de Ukraine-Liveticker", Url = "https://www.n-tv.de/x-article1.html" };

    [SkippableFact]
    public async Task AGermanUserStartsSubscribesWithOneTapMutesAndEndsFromTheAlertAndStopsEverything()
    {
        await using var flow = await Flow.StartAsync();
        Skip.If(flow is null, "the Telegram emulator cannot run here");
        const long anna = 5001;
        var transcript = new Transcript(flow.Emulator, Token, anna);

        // /start: short, German, three one-tap examples and a help button.
        await flow.Emulator.SendAsync(Token, anna, "/start", languageCode: "de");
        var start = (await flow.Emulator.WaitForBotMessagesAsync(Token, anna, 1, Wait))[^1];
        await transcript.UserAsync("/start");
        Assert.StartsWith("Hallo! Ich beobachte Nachrichten-Liveticker", start.Text, StringComparison.Ordinal);
        Assert.True(start.Text.Split('\n').Length <= 12);
        Assert.Equal(["🛩 Drohnen", "🇺🇦 Selenskyj", "⚡ Stromausfall"], start.Buttons![0].Select(b => b.Text));
        Assert.Equal("❓ So schreibst du Suchen", start.Buttons[1].Single().Text);

        // One tap subscribes.
        await flow.Emulator.PressAsync(Token, anna, start.MessageId, start.Button("🛩 Drohnen"), languageCode: "de");
        var subscribed = (await flow.Emulator.WaitForBotMessagesAsync(Token, anna, 2, Wait))[^1];
        await transcript.PressedAsync("🛩 Drohnen");
        Assert.Equal("Abonniert #1: <b>Drohne</b> — alle Quellen", subscribed.Text);
        Assert.Equal("Abonniert #1: Drohne — alle Quellen", (await flow.Emulator.WaitForAnswersAsync(Token, 1, Wait))[^1].Text);

        // An alert arrives with its buttons, in German, naming the subscription that fired.
        var drohne = Assert.Single(flow.Store.Subscriptions.Values);
        var alert = Build.Alert(headline: "Drohnenangriff auf Kiew", body: "In der Nacht griffen Drohnen die Hauptstadt an. Laut @kyivindependent gab es Explosionen.") with { Query = "Drohne", SubscriberId = "telegram:5001" };
        Assert.IsType<SendResult.Sent>(await flow.Channel.SendAsync(alert, Build.Context(), flow.Subscriber(anna), CancellationToken.None));
        var sent = (await flow.Emulator.WaitForBotMessagesAsync(Token, anna, 3, Wait))[^1];
        await transcript.AlertAsync();
        Assert.StartsWith("<b>Drohnenangriff auf Kiew</b>\n🕒 01.12.2025 15:29 (Europe/Berlin) · ntv.de Ukraine-Liveticker\n🔎 Abo #1: Drohne\n\n", sent.Text, StringComparison.Ordinal);
        Assert.Contains("@\u2060kyivindependent", sent.Text, StringComparison.Ordinal);
        Assert.Equal(["🔕 1 Stunde", "🔕 Bis 7 Uhr", "✖ Beenden"], sent.Buttons!.Single().Select(b => b.Text));

        // Mute for an hour from the alert: a toast, and the keyboard shows it with an undo.
        await flow.Emulator.PressAsync(Token, anna, sent.MessageId, sent.Button("🔕 1 Stunde"), languageCode: "de");
        var answers = await flow.Emulator.WaitForAnswersAsync(Token, 2, Wait);
        // The end carries its date when the hour runs past midnight in Berlin (a press between 23:00 and 24:00).
        Assert.Matches(@"^#1 stumm bis (\d\d\.\d\d\. )?\d\d:\d\d \(Europe/Berlin\)\.$", answers[^1].Text);
        var muted = await flow.Emulator.WaitUntilAsync(Token, anna, m => m[2].Buttons!.Single()[0].Text.Contains("Rückgängig", StringComparison.Ordinal), Wait, "the keyboard shows the mute");
        await transcript.PressedAsync("🔕 1 Stunde", answers[^1].Text);
        Assert.NotNull(flow.Store.Subscriptions[drohne.Id].MutedUntil);

        // Undo, then end the subscription from the same alert, with an undo too.
        await flow.Emulator.PressAsync(Token, anna, sent.MessageId, muted[2].Buttons!.Single()[0], languageCode: "de");
        await flow.Emulator.WaitUntilAsync(Token, anna, m => m[2].Buttons!.Single().Count == 3, Wait, "the keyboard is back");
        await transcript.PressedAsync(muted[2].Buttons!.Single()[0].Text, (await flow.Emulator.WaitForAnswersAsync(Token, 3, Wait))[^1].Text);
        Assert.Null(flow.Store.Subscriptions[drohne.Id].MutedUntil);
        await flow.Emulator.PressAsync(Token, anna, sent.MessageId, sent.Button("✖ Beenden"), languageCode: "de");
        var ended = await flow.Emulator.WaitUntilAsync(Token, anna, m => m[2].Buttons!.Single()[0].Text.StartsWith("✖ Beendet", StringComparison.Ordinal), Wait, "the keyboard shows the end");
        await transcript.PressedAsync("✖ Beenden", (await flow.Emulator.WaitForAnswersAsync(Token, 4, Wait))[^1].Text);
        Assert.Equal("✖ Beendet · ↩ Rückgängig", ended[2].Buttons!.Single().Single().Text);
        Assert.Empty(flow.Store.Subscriptions);

        // A query error points at the character, in German, in a monospace block.
        await flow.Emulator.SendAsync(Token, anna, "/abo Drohne ODER", languageCode: "de");
        var error = (await flow.Emulator.WaitForBotMessagesAsync(Token, anna, 4, Wait))[^1];
        await transcript.UserAsync("/abo Drohne ODER");
        Assert.Equal("⚠️ Diese Suche kann ich nicht lesen: ODER ohne zweites Wort (Zeichen 8).\n<pre>Drohne ODER\n       ^</pre>", error.Text);

        // Plain words are an offer, with how many entries of the last day would have matched.
        await flow.Emulator.SendAsync(Token, anna, "Stromausfall", languageCode: "de");
        var offer = (await flow.Emulator.WaitForBotMessagesAsync(Token, anna, 5, Wait))[^1];
        await transcript.UserAsync("Stromausfall");
        Assert.Equal("<b>Stromausfall</b> abonnieren? In den letzten 24 Stunden hätte 1 Eintrag gepasst.", offer.Text);
        await flow.Emulator.PressAsync(Token, anna, offer.MessageId, offer.Button("✅ Abonnieren"), languageCode: "de");
        await flow.Emulator.WaitForBotMessagesAsync(Token, anna, 6, Wait);
        await transcript.PressedAsync("✅ Abonnieren");
        await flow.Emulator.SendAsync(Token, anna, "/abo Selenskyj", languageCode: "de");
        await flow.Emulator.WaitForBotMessagesAsync(Token, anna, 7, Wait);
        await transcript.UserAsync("/abo Selenskyj");

        // /stop asks first; the confirm button ends everything.
        await flow.Emulator.SendAsync(Token, anna, "/stop", languageCode: "de");
        var ask = (await flow.Emulator.WaitForBotMessagesAsync(Token, anna, 8, Wait))[^1];
        await transcript.UserAsync("/stop");
        Assert.Equal("Alle 2 Abos beenden und keine Alerts mehr in diesen Chat schicken?", ask.Text);
        Assert.Equal(2, flow.Store.Subscriptions.Count);
        await flow.Emulator.PressAsync(Token, anna, ask.MessageId, ask.Button("🛑 Ja, alles beenden"), languageCode: "de");
        var stopped = (await flow.Emulator.WaitForBotMessagesAsync(Token, anna, 9, Wait))[^1];
        await transcript.PressedAsync("🛑 Ja, alles beenden");
        Assert.StartsWith("Erledigt: 2 Abo(s) beendet", stopped.Text, StringComparison.Ordinal);
        Assert.Empty(flow.Store.Subscriptions);

        Save("german-user", transcript);
    }

    [SkippableFact]
    public async Task AnEnglishUserFollowsADeepLinkFixesAnOperatorAndManagesTheListWithButtons()
    {
        await using var flow = await Flow.StartAsync();
        Skip.If(flow is null, "the Telegram emulator cannot run here");
        const long ben = 5002;
        var transcript = new Transcript(flow.Emulator, Token, ben);

        await flow.Emulator.SendAsync(Token, ben, "/start", languageCode: "en-GB");
        var start = (await flow.Emulator.WaitForBotMessagesAsync(Token, ben, 1, Wait))[^1];
        await transcript.UserAsync("/start");
        Assert.StartsWith("Hi! I watch news live tickers", start.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Abo", start.Text, StringComparison.Ordinal);

        // A deep link t.me/<bot>?start=<payload> offers the shared query; a button confirms.
        var payload = TelegramUpdateHandler.EncodePayload("Selenskyj OR Zelensky")!;
        await flow.Emulator.SendAsync(Token, ben, "/start " + payload, languageCode: "en-GB");
        var shared = (await flow.Emulator.WaitForBotMessagesAsync(Token, ben, 2, Wait))[^1];
        await transcript.UserAsync("/start " + payload);
        Assert.Equal("Someone shared this subscription with you:\n<b>Selenskyj OR Zelensky</b>\nSubscribe to it?", shared.Text);
        await flow.Emulator.PressAsync(Token, ben, shared.MessageId, shared.Button("✅ Subscribe"), languageCode: "en-GB");
        await flow.Emulator.WaitForBotMessagesAsync(Token, ben, 3, Wait);
        await transcript.PressedAsync("✅ Subscribe");

        // A lower-case operator gets a hint with a button that saves the corrected query.
        await flow.Emulator.SendAsync(Token, ben, "/subscribe Drohne or Rakete", languageCode: "en-GB");
        var hint = (await flow.Emulator.WaitForBotMessagesAsync(Token, ben, 4, Wait))[^1];
        await transcript.UserAsync("/subscribe Drohne or Rakete");
        Assert.StartsWith("⚠️ Did you mean OR?", hint.Text, StringComparison.Ordinal);
        await flow.Emulator.PressAsync(Token, ben, hint.MessageId, hint.Button("✅ Drohne OR Rakete"), languageCode: "en-GB");
        var saved = (await flow.Emulator.WaitForBotMessagesAsync(Token, ben, 5, Wait))[^1];
        await transcript.PressedAsync("✅ Drohne OR Rakete");
        Assert.Equal("Subscribed #2: <b>Drohne OR Rakete</b> — all sources", saved.Text);

        // /list shows each subscription with its own buttons; ending one edits only its row.
        await flow.Emulator.SendAsync(Token, ben, "/list", languageCode: "en-GB");
        var list = (await flow.Emulator.WaitForBotMessagesAsync(Token, ben, 6, Wait))[^1];
        await transcript.UserAsync("/list");
        Assert.Equal(["#1 🔕 1 hour", "#1 🔕 Until 7:00", "#1 ✖ End"], list.Buttons![0].Select(b => b.Text));
        Assert.Equal(["#2 🔕 1 hour", "#2 🔕 Until 7:00", "#2 ✖ End"], list.Buttons[1].Select(b => b.Text));
        await flow.Emulator.PressAsync(Token, ben, list.MessageId, list.Button("#2 ✖ End"), languageCode: "en-GB");
        var edited = await flow.Emulator.WaitUntilAsync(Token, ben, m => m[5].Buttons!.Count == 2 && m[5].Buttons![1].Count == 1, Wait, "the list row shows the end");
        await transcript.PressedAsync("#2 ✖ End", (await flow.Emulator.WaitForAnswersAsync(Token, 3, Wait))[^1].Text);
        Assert.Equal("#2 ✖ Ended · ↩ Undo", edited[5].Buttons![1].Single().Text);
        Assert.Equal(3, edited[5].Buttons![0].Count);

        // Quiet hours make alerts arrive without sound.
        await flow.Emulator.SendAsync(Token, ben, "/quiet 0-23:59", languageCode: "en-GB");
        await flow.Emulator.WaitForBotMessagesAsync(Token, ben, 7, Wait);
        await transcript.UserAsync("/quiet 0-23:59");
        var alert = Build.Alert() with { Query = "Selenskyj OR Zelensky", SubscriberId = "telegram:5002" };
        await flow.Channel.SendAsync(alert, Build.Context(), flow.Subscriber(ben), CancellationToken.None);
        var quiet = (await flow.Emulator.WaitForBotMessagesAsync(Token, ben, 8, Wait))[^1];
        await transcript.AlertAsync();
        Assert.True(quiet.DisableNotification);
        Assert.Contains("🔎 Subscription #1: Selenskyj OR Zelensky", quiet.Text, StringComparison.Ordinal);

        Save("english-user", transcript);
    }

    [SkippableFact]
    public async Task InAGroupAButtonPressIsCheckedAndTheMenusComePerLanguageAndScope()
    {
        await using var flow = await Flow.StartAsync();
        Skip.If(flow is null, "the Telegram emulator cannot run here");
        const long group = -100900;

        // The emulator cannot answer getChatMember: the bot says the check failed, not that the presser is no admin.
        var subscriber = await flow.Store.EnsureSubscriberAsync(new Subscriber("telegram:-100900", Platforms.Telegram, "-100900", IsGroup: true));
        await flow.Store.AddSubscriptionAsync(subscriber.Id, "Drohne", null, DateTimeOffset.UtcNow);
        await flow.Channel.SendAsync(Build.Alert() with { Query = "Drohne", SubscriberId = subscriber.Id }, Build.Context(), subscriber, CancellationToken.None);
        var alert = (await flow.Emulator.WaitForBotMessagesAsync(Token, group, 1, Wait))[^1];
        await flow.Emulator.PressAsync(Token, group, alert.MessageId, alert.Button("✖ End"), userId: 77, type: "supergroup");
        var answer = (await flow.Emulator.WaitForAnswersAsync(Token, 1, Wait))[^1];
        Assert.True(answer.ShowAlert);
        Assert.StartsWith("I could not check whether you are an administrator", answer.Text, StringComparison.Ordinal);
        Assert.Single(flow.Store.Subscriptions);

        var menus = await flow.Emulator.MenusAsync(Token);
        var germanPrivate = menus.Single(m => m is { Scope: "all_private_chats", LanguageCode: "de" });
        Assert.Contains(germanPrivate.Commands, c => c.Command == "abo");
        Assert.Contains(germanPrivate.Commands, c => c.Command == "liste");
        var englishGroups = menus.Single(m => m is { Scope: "all_group_chats", LanguageCode: null });
        Assert.DoesNotContain(englishGroups.Commands, c => c.Command is "subscribe" or "stop");
        Assert.Contains(menus.Single(m => m is { Scope: "all_chat_administrators", LanguageCode: null }).Commands, c => c.Command == "stop");
    }

    private void Save(string name, Transcript transcript)
    {
        var text = transcript.ToString();
        output.WriteLine(text);
        var dir = Path.Combine(AppContext.BaseDirectory, "transcripts");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, name + ".txt"), text);
    }

    /// <summary>What the chat looked like, step by step: the user's input and every new or edited bot message, as the emulator stored them.</summary>
    private sealed class Transcript(TelegramEmulator emulator, string token, long chatId)
    {
        private readonly StringBuilder text = new();
        private readonly Dictionary<long, string> seen = [];

        public Task UserAsync(string text) => StepAsync($"👤 {text}");

        public Task PressedAsync(string label, string? toast = null) => StepAsync($"👆 [{label}]" + (toast is null ? "" : $"  → toast: {toast}"));

        public Task AlertAsync() => StepAsync("⚙️ (an alert is dispatched)");

        public override string ToString() => text.ToString();

        private async Task StepAsync(string header)
        {
            text.AppendLine(header);
            foreach (var m in await emulator.BotMessagesAsync(token, chatId))
            {
                var shown = Describe(m);
                if (seen.TryGetValue(m.MessageId, out var before) && before == shown)
                {
                    continue;
                }

                text.Append(seen.ContainsKey(m.MessageId) ? "  ✏️ bot edits #" : "  🤖 bot #").Append(m.MessageId).Append(m.DisableNotification ? " (silent)" : "").AppendLine(":");
                text.AppendLine(shown);
                seen[m.MessageId] = shown;
            }
        }

        private static string Describe(EmulatedBotMessage m)
        {
            var sb = new StringBuilder();
            foreach (var line in m.Text.Split('\n'))
            {
                sb.Append("     ").AppendLine(line);
            }

            foreach (var row in m.Buttons ?? [])
            {
                sb.Append("     ").AppendLine(string.Join(" ", row.Select(b => $"[{b.Text}]")));
            }

            return sb.ToString().TrimEnd();
        }
    }

    /// <summary>The adapter on the emulator with the real Core commands over in-memory stores.</summary>
    private sealed class Flow : IAsyncDisposable
    {
        private readonly IHost host;

        private Flow(TelegramEmulator emulator, IHost host, InMemorySubscriptionStore store)
        {
            Emulator = emulator;
            this.host = host;
            Store = store;
            Channel = host.Services.GetServices<IAlertChannel>().Single(c => c.Platforms.Contains(Platforms.Telegram));
        }

        public TelegramEmulator Emulator { get; }

        public InMemorySubscriptionStore Store { get; }

        public IAlertChannel Channel { get; }

        public Subscriber Subscriber(long chatId) => Store.Subscribers[$"telegram:{chatId}"];

        public static async Task<Flow?> StartAsync()
        {
            var (emulator, _) = await TelegramEmulator.TryStartAsync();
            if (emulator is null)
            {
                return null;
            }

            var store = new InMemorySubscriptionStore();
            var state = new InMemoryTickerStateStore();
            state.Recent["ntv-ukraine"] = [new TickerItem("ntv-ukraine", "k1", DateTimeOffset.UtcNow.AddHours(-2), "Stromausfall in Charkiw", "Nach Angriffen fiel der Strom aus.", null, "h1")];
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.ClearProviders();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Alerts:Telegram:BotToken"] = Token,
                ["Alerts:Telegram:ApiBaseUrl"] = emulator.ApiUrl,
                ["Alerts:Telegram:PollingTimeoutSeconds"] = "0",
            });
            builder.Services.AddSingleton<ISubscriptionStore>(store);
            builder.Services.AddSingleton<IKeyValueStore>(new InMemoryKeyValueStore());
            builder.Services.AddSingleton<ISubscriptionCommands>(sp => new SubscriptionCommands(
                store, state, [Ntv], new SubscriptionLimits(), TimeProvider.System, null, sp.GetRequiredService<IKeyValueStore>()));
            builder.AddTelegram();
            var host = builder.Build();
            await host.StartAsync();
            return new Flow(emulator, host, store);
        }

        public async ValueTask DisposeAsync()
        {
            await host.StopAsync();
            host.Dispose();
            await Emulator.DisposeAsync();
        }
    }
}
