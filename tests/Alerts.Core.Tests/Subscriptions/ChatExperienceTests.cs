using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tickers;
using Microsoft.Extensions.Time.Testing;

namespace Alerts.Core.Tests.Subscriptions;

/// <summary>The chat surface of issue 11 in Core: languages, several at once, stop, mute, quiet, offers, buttons.</summary>
public class ChatExperienceTests
{
    private static readonly Subscriber Anna = new("telegram:1", Platforms.Telegram, "1", DetectedLanguage: ChatLanguage.German);
    private static readonly Subscriber Ben = new("telegram:2", Platforms.Telegram, "2", DetectedLanguage: ChatLanguage.English);

    private readonly InMemorySubscriptionStore store = new();
    private readonly InMemoryTickerStateStore state = new();
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2025, 12, 1, 20, 30, 0, TimeSpan.Zero)); // 21:30 in Berlin
    private readonly SubscriptionCommands commands;

    public ChatExperienceTests()
    {
        var sources = new List<SourceDefinition> { new() { Id = "ntv-ukraine", Name = "ntv Ukraine", Url = "https://example.invalid/a" } };
        commands = new SubscriptionCommands(store, state, sources, new SubscriptionLimits(), time);
    }

    [Theory]
    [InlineData("/a{100000}/", "regulärer Ausdruck zu aufwendig: eine gezählte Wiederholung von 100000 liegt über der Grenze von 100 (er lässt sich nicht günstig prüfen)")]
    [InlineData(@"/(\w+\s*){30}q/", "regulärer Ausdruck zu aufwendig: er hat ausgerollt 60 variable Wiederholungen (*, +, ?, {n,m}), mehr als die Grenze von 24 (er lässt sich nicht günstig prüfen)")]
    [InlineData("/./", "dieser reguläre Ausdruck würde fast alles finden: er muss nach etwas Bestimmtem fragen, mindestens zwei Zeichen")]
    [InlineData("-Drohne", "diese Suche würde fast alles finden: sie braucht ein Wort, das nicht mit NICHT oder „-“ verneint ist (in jedem ODER-Zweig)")]
    public async Task AGermanChatIsToldInGermanWhyARegexOrQueryIsRefused(string query, string reason)
    {
        var error = await commands.SubscribeAsync(Anna, query, null);

        Assert.StartsWith("Diese Suche kann ich nicht lesen: " + reason + " (Zeichen ", error.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AGermanChatIsAnsweredInGermanOnly()
    {
        Assert.Equal("Abonniert #1: Drohne — alle Quellen", (await commands.SubscribeAsync(Anna, "Drohne", null)).Text);
        var error = await commands.SubscribeAsync(Anna, "Drohne ODER", null);
        Assert.Equal("Diese Suche kann ich nicht lesen: ODER ohne zweites Wort (Zeichen 8).", error.Text);
        Assert.Equal("Drohne ODER\n       ^", error.Preformatted);
        Assert.Equal("Deine Abos (1 von 50):\n1. Drohne — alle Quellen", (await commands.ListAsync(Anna)).Text);
    }

    [Fact]
    public async Task GermanOperatorsAreSavedInTheirCanonicalForm()
    {
        var reply = await commands.SubscribeAsync(Anna, "(Drohne ODER Rakete) UND Kiew NICHT Übung", null);

        Assert.Equal("Abonniert #1: (Drohne OR Rakete) Kiew -Übung — alle Quellen", reply.Text);
    }

    [Theory]
    [InlineData("Drohne oder Rakete", "oder", "Drohne OR Rakete")]
    [InlineData("Drohne or Rakete", "or", "Drohne OR Rakete")]
    [InlineData("Drohne nicht Übung", "nicht", "Drohne -Übung")]
    public async Task ALowerCaseOperatorGetsAHintWithAButtonThatSavesTheCorrectedQuery(string query, string written, string corrected)
    {
        var hint = await commands.SubscribeAsync(Anna, query, null);

        Assert.False(hint.Success);
        Assert.StartsWith($"Meintest du {written.ToUpperInvariant()}?", hint.Text, StringComparison.Ordinal);
        Assert.Empty(store.All);
        var save = hint.Buttons![0].Single();
        Assert.Equal($"✅ {corrected}", save.Label);

        var outcome = await commands.PressAsync(Anna, save.Action, numbered: false);
        Assert.Equal($"Abonniert #1: {corrected} — alle Quellen", outcome.Reply!.Text);
        Assert.Equal([corrected], store.All.Select(s => s.Query));
    }

    [Fact]
    public async Task UnsubscribeTakesSeveralNumbersRangesAllAndQueriesInAnySpelling()
    {
        foreach (var q in new[] { "eins", "zwei", "drei", "vier", "fünf", "sechs", "Außenminister" })
        {
            await commands.SubscribeAsync(Ben, q, null);
        }

        Assert.Equal("Ended 2 subscriptions:\n#2: zwei\n#5: fünf", (await commands.UnsubscribeAsync(Ben, "2 5")).Text);
        Assert.Equal("Ended 2 subscriptions:\n#2: drei\n#3: vier", (await commands.UnsubscribeAsync(Ben, "2-3")).Text);
        Assert.Equal("Ended #3: Außenminister", (await commands.UnsubscribeAsync(Ben, "AUSSENMINISTER")).Text);
        Assert.Equal("Ended 2 subscriptions:\n#1: eins\n#2: sechs", (await commands.UnsubscribeAsync(Ben, "all")).Text);
        Assert.Empty(store.All);
    }

    [Fact]
    public async Task StopAsksFirstAndTheConfirmButtonEndsEverything()
    {
        await commands.SubscribeAsync(Ben, "Drohne", null);
        await commands.SubscribeAsync(Ben, "Kiew", null);

        var ask = await commands.StopAsync(Ben);
        Assert.Equal("End all 2 subscriptions and stop all alerts to this chat?", ask.Text);
        Assert.Equal(2, store.All.Count);

        var yes = ask.Buttons![0][0];
        var outcome = await commands.PressAsync(Ben, yes.Action, numbered: false);
        Assert.StartsWith("Done: 2 subscription(s) ended", outcome.Toast, StringComparison.Ordinal);
        Assert.Empty(store.All);
    }

    [Fact]
    public async Task AlertButtonsMuteForAnHourOrUntilTheMorningAndEndWithUndo()
    {
        await commands.SubscribeAsync(Anna, "Drohne", null);
        var subscription = store.All.Single();
        var buttons = commands.AlertButtons(Anna, subscription);
        Assert.Equal(["🔕 1 Stunde", "🔕 Bis 7 Uhr", "✖ Beenden"], buttons.Select(b => b.Label));

        var morning = await commands.PressAsync(Anna, buttons[1].Action, numbered: false);
        Assert.Equal("#1 stumm bis 02.12. 07:00 (Europe/Berlin).", morning.Toast);
        Assert.Equal(new DateTimeOffset(2025, 12, 2, 6, 0, 0, TimeSpan.Zero), store.All.Single().MutedUntil);
        Assert.Equal("🔕 Stumm bis 02.12. 07:00 (Europe/Berlin) · ↩ Rückgängig", morning.Row![0].Label);

        var undo = await commands.PressAsync(Anna, morning.Row[0].Action, numbered: false);
        Assert.Equal("#1 ist wieder an.", undo.Toast);
        Assert.Null(store.All.Single().MutedUntil);

        var end = await commands.PressAsync(Anna, buttons[2].Action, numbered: false);
        Assert.Equal("Beendet #1: Drohne", end.Toast);
        Assert.Empty(store.All);
        var restore = await commands.PressAsync(Anna, end.Row!.Single().Action, numbered: false);
        Assert.Equal("Wieder da: Drohne", restore.Toast);
        Assert.Equal(subscription.CreatedAt, store.All.Single().CreatedAt);
    }

    [Fact]
    public async Task OffersAndUndosExpireAfterSevenDaysAndSaySo()
    {
        var keyValues = new InMemoryKeyValueStore(time);
        var commands = new SubscriptionCommands(store, state, [new() { Id = "ntv-ukraine", Url = "https://example.invalid/a" }], new SubscriptionLimits(), time, null, keyValues);
        await commands.SubscribeAsync(Anna, "Drohne", null);
        var end = await commands.PressAsync(Anna, commands.AlertButtons(Anna, store.All.Single())[2].Action, numbered: false);
        var offer = await commands.OfferAsync(Ben, "Stromausfall", shared: false);
        Assert.Equal([time.GetUtcNow() + SubscriptionCommands.ButtonDataLifetime], keyValues.Expiries.Values.Distinct());
        Assert.Equal(2, keyValues.Expiries.Count);

        time.Advance(SubscriptionCommands.ButtonDataLifetime);

        Assert.Equal("Zu spät zum Rückgängigmachen; abonniere einfach neu mit /abo.", (await commands.PressAsync(Anna, end.Row!.Single().Action, numbered: false)).Toast);
        Assert.Equal("This offer is no longer available; send the words again.", (await commands.PressAsync(Ben, offer.Buttons![0][0].Action, numbered: false)).Toast);
        Assert.Empty(store.All);
    }

    [Fact]
    public async Task AButtonForAnotherChatsSubscriptionChangesNothing()
    {
        await commands.SubscribeAsync(Anna, "Drohne", null);
        var annas = store.All.Single();

        var outcome = await commands.PressAsync(Ben, new ChatAction.End(annas.Id), numbered: false);
        var undo = await commands.PressAsync(Anna, new ChatAction.End(annas.Id), numbered: false);
        var stolenUndo = await commands.PressAsync(Ben, undo.Row!.Single().Action, numbered: false);

        Assert.Equal("That subscription no longer exists in this chat.", outcome.Toast);
        Assert.Equal("That subscription no longer exists in this chat.", stolenUndo.Toast);
        Assert.Empty(store.All);
    }

    [Fact]
    public async Task APlainMessageIsOfferedWithHowManyEntriesOfTheLastDayMatched()
    {
        state.Recent["ntv-ukraine"] =
        [
            new("ntv-ukraine", "a", time.GetUtcNow().AddHours(-1), "Drohnen über Kiew", "", null, "h"),
            new("ntv-ukraine", "b", time.GetUtcNow().AddHours(-5), "Eine Drohne", "", null, "h"),
            new("ntv-ukraine", "c", time.GetUtcNow().AddHours(-30), "Drohne von gestern", "", null, "h"),
        ];

        var offer = await commands.OfferAsync(Ben, "drohne", shared: false);

        Assert.Equal("Subscribe to drohne? 2 entries of the last 24 hours would have matched.", offer.Text);
        Assert.Empty(store.All);
        await commands.PressAsync(Ben, offer.Buttons![0][0].Action, numbered: false);
        Assert.Equal(["drohne"], store.All.Select(s => s.Query));
    }

    [Fact]
    public async Task MuteQuietTimeZoneLanguageAndFormatAreSavedPerChat()
    {
        Assert.Equal("🔕 Muted until 23:30 (Europe/Berlin). Alerts in between are skipped; /mute off ends it early.", (await commands.MuteAsync(Ben, "2h")).Text);
        Assert.False((await commands.MuteAsync(Ben, "2 weeks")).Success);
        Assert.Equal("🌙 Quiet hours 22:00-07:00 (Europe/Berlin): alerts in these hours arrive without sound. /quiet off ends them.", (await commands.QuietAsync(Ben, "22-07")).Text);
        Assert.StartsWith("Time zone Europe/Kyiv: it is 22:30 (Europe/Kyiv) there.", (await commands.SetTimeZoneAsync(Ben, "Europe/Kyiv")).Text, StringComparison.Ordinal);
        Assert.Equal("Ich schreibe in diesem Chat auf Deutsch.", (await commands.SetLanguageAsync(Ben, "de")).Text);
        await commands.SetFormatAsync(Ben, "long");

        var saved = (await store.GetSubscriberAsync(Ben.Id))!;
        Assert.Equal(time.GetUtcNow().AddHours(2), saved.MutedUntil);
        Assert.Equal(new QuietHours(new TimeOnly(22, 0), new TimeOnly(7, 0)), saved.Quiet);
        Assert.Equal("Europe/Kyiv", saved.TimeZone);
        Assert.Equal(ChatLanguage.German, saved.EffectiveLanguage);
        Assert.True(saved.LongFormat);
        Assert.True(saved.IsQuietAt(time.GetUtcNow()));          // 22:30 in Kyiv
        Assert.False(saved.IsQuietAt(time.GetUtcNow().AddHours(10)));

        var list = (await commands.ListAsync(saved)).Text;
        Assert.Contains("🔕 Stumm bis 02.12. 00:30 (Europe/Kyiv).", list, StringComparison.Ordinal);
        Assert.Contains("🌙 Ruhezeit 22:00-07:00 (Europe/Kyiv)", list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PauseSaysPlainlyThatNothingComesUntilResume()
    {
        Assert.Equal("⏸ Pausiert: überhaupt keine Alerts, bis du /weiter schreibst. Deine Abos bleiben erhalten.", (await commands.PauseAsync(Anna)).Text);
        Assert.StartsWith("⏸ Pausiert: Es kommen keine Alerts, bis du /weiter schreibst.", (await commands.ListAsync(Anna)).Text, StringComparison.Ordinal);
    }

    [Fact]
    public void StartIsShortWithThreeExamplesAndAHelpButton()
    {
        foreach (var who in new[] { Anna, Ben })
        {
            var start = commands.Start(who);
            Assert.True(start.Text.Split('\n').Length <= 12);
            Assert.Equal(3, start.Buttons![0].Count);
            Assert.IsType<ChatAction.Help>(start.Buttons[1].Single().Action);
            foreach (var (_, query) in ChatTexts.For(who).Examples)
            {
                QueryParser.Parse(query);
            }
        }
    }

    [Theory]
    [InlineData("mh:12")]
    [InlineData("mm:12")]
    [InlineData("um:12")]
    [InlineData("end:12")]
    [InlineData("re:abc123")]
    [InlineData("so:abc123")]
    [InlineData("ex:2")]
    [InlineData("help")]
    [InlineData("stop:yes")]
    public void ButtonPayloadsRoundTripAndFitTelegramsLimit(string payload)
    {
        var action = ChatAction.Decode(payload)!;
        Assert.Equal(payload, action.Encode());
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(action.Encode()) <= 64);
    }

    [Theory]
    [InlineData("end:-1")]
    [InlineData("end:x")]
    [InlineData("re:ABC")]
    [InlineData("drop table")]
    [InlineData("")]
    public void ForgedPayloadsDecodeToNothing(string payload) => Assert.Null(ChatAction.Decode(payload));
}
