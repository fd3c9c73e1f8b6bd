using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tickers;
using Microsoft.Extensions.Time.Testing;

namespace Alerts.Core.Tests.Subscriptions;

public class SubscriptionCommandsTests
{
    private static readonly Subscriber Alice = new("telegram:1", Platforms.Telegram, "1");
    private static readonly Subscriber Bob = new("telegram:2", Platforms.Telegram, "2");

    private readonly InMemorySubscriptionStore store = new();
    private readonly InMemoryTickerStateStore state = new();
    private readonly SubscriptionLimits limits = new() { MaxSubscriptionsPerSubscriber = 3 };
    private readonly SubscriptionCommands commands;

    public SubscriptionCommandsTests()
    {
        var sources = new List<SourceDefinition>
        {
            new() { Id = "ntv-ukraine", Name = "ntv Ukraine", Url = "https://example.invalid/a" },
            new() { Id = "tagesschau", Url = "https://example.invalid/b" },
        };
        var aliases = new AliasTable([["Selenskyj", "Zelensky", "Зеленський"]]);
        commands = new SubscriptionCommands(store, state, sources, limits, new FakeTimeProvider(new DateTimeOffset(2025, 12, 1, 10, 0, 0, TimeSpan.Zero)), () => aliases);
    }

    private static TickerItem Item(string source, string headline, string body, int hour) =>
        new(source, headline, new DateTimeOffset(2025, 12, 1, hour, 5, 0, TimeSpan.Zero), headline, body, null, "h");

    [Fact]
    public async Task SubscribeSavesTheCanonicalQueryAndEchoesIt()
    {
        var reply = await commands.SubscribeAsync(Alice, "  (Drohne OR Rakete)  AND Kiew ", null);

        Assert.True(reply.Success);
        Assert.Equal("Subscribed #1: (Drohne OR Rakete) Kiew — all sources", reply.Text);
        Assert.Equal(["ensure telegram:1 group=False", "add telegram:1 (Drohne OR Rakete) Kiew -"], store.Calls);
    }

    [Fact]
    public async Task SubscribeWithASourceNamesIt()
    {
        var reply = await commands.SubscribeAsync(Alice, "drohne*", "NTV-Ukraine");
        Assert.Equal("Subscribed #1: drohne* — source ntv-ukraine", reply.Text);
        Assert.Equal("ntv-ukraine", store.All.Single().SourceId);
    }

    [Fact]
    public async Task SubscribeShowsTheParserErrorWithACaret()
    {
        var reply = await commands.SubscribeAsync(Alice, "Angriff auf \"Kiew", null);

        Assert.False(reply.Success);
        Assert.Equal("I could not read that query: unclosed quote (character 13).", reply.Text);
        Assert.Equal("Angriff auf \"Kiew\n            ^", reply.Preformatted);
        Assert.Empty(store.All);
    }

    [Fact]
    public async Task SubscribeRefusesDuplicatesPolitely()
    {
        await commands.SubscribeAsync(Alice, "Drohne Kiew", null);
        var reply = await commands.SubscribeAsync(Alice, "Drohne AND Kiew", null);

        Assert.False(reply.Success);
        Assert.Equal("You already follow this: #1: Drohne Kiew — all sources", reply.Text);
        Assert.Single(store.All);

        // The same query for another source, or for another subscriber, is not a duplicate.
        Assert.True((await commands.SubscribeAsync(Alice, "Drohne Kiew", "tagesschau")).Success);
        Assert.True((await commands.SubscribeAsync(Bob, "Drohne Kiew", null)).Success);
    }

    [Fact]
    public async Task SubscribeRefusesUnknownSourcesListingTheValidOnes()
    {
        var viaOption = await commands.SubscribeAsync(Alice, "Drohne", "zdf");
        var viaQuery = await commands.SubscribeAsync(Alice, "Drohne source:zdf", null);

        Assert.Equal("Unknown source 'zdf'. Valid: ntv-ukraine, tagesschau.", viaOption.Text);
        Assert.Equal(viaOption.Text, viaQuery.Text);
        Assert.Empty(store.All);
    }

    [Fact]
    public async Task SubscribeStopsAtTheLimit()
    {
        foreach (var q in new[] { "eins", "zwei", "drei" })
        {
            Assert.True((await commands.SubscribeAsync(Alice, q, null)).Success);
        }

        var reply = await commands.SubscribeAsync(Alice, "vier", null);
        Assert.False(reply.Success);
        Assert.StartsWith("You have reached the limit of 3 subscriptions.", reply.Text, StringComparison.Ordinal);
        Assert.Equal(3, store.All.Count);
    }

    [Fact]
    public async Task SubscribeEnforcesTheConfiguredQueryLength()
    {
        limits.MaxQueryLength = 10;
        var commands = new SubscriptionCommands(store, state, [], limits, TimeProvider.System);
        var reply = await commands.SubscribeAsync(Alice, "Drohne Kiew Odessa", null);
        Assert.Equal("I could not read that query: query longer than 10 characters (character 11).", reply.Text);
    }

    [Fact]
    public async Task ListNumbersSubscriptionsOldestFirst()
    {
        await commands.SubscribeAsync(Alice, "Drohne", null);
        await commands.SubscribeAsync(Alice, "\"Angriff auf Kiew\"", "tagesschau");

        var reply = await commands.ListAsync(Alice);
        Assert.Equal("Your subscriptions (2 of 3):\n1. Drohne — all sources\n2. \"Angriff auf Kiew\" — source tagesschau", reply.Text);
        Assert.Equal(["#1 🔕 1 hour", "#1 🔕 Until 7:00", "#1 ✖ End"], reply.Buttons![0].Select(b => b.Label));
        Assert.Equal("No subscriptions yet. Send me a word to follow, or /start for examples.", (await commands.ListAsync(Bob)).Text);
    }

    [Fact]
    public async Task UnsubscribeByNumberOrByQuery()
    {
        await commands.SubscribeAsync(Alice, "Drohne", null);
        await commands.SubscribeAsync(Alice, "Rakete Kiew", null);
        await commands.SubscribeAsync(Alice, "Panzer", null);

        Assert.Equal("Ended #2: Rakete Kiew", (await commands.UnsubscribeAsync(Alice, "2")).Text);
        Assert.Equal("Ended #2: Panzer", (await commands.UnsubscribeAsync(Alice, "panzer")).Text);
        Assert.Equal(["Drohne"], store.All.Select(s => s.Query));

        var missing = await commands.UnsubscribeAsync(Alice, "7");
        Assert.False(missing.Success);
        Assert.Equal("There is no subscription #7; you have 1.", missing.Text);
        Assert.Equal("1. Drohne — all sources", missing.Preformatted);
        Assert.False((await commands.UnsubscribeAsync(Alice, "Odessa")).Success);
        Assert.False((await commands.UnsubscribeAsync(Bob, "1")).Success);
    }

    [Fact]
    public async Task UnsubscribeAcceptsAnotherSpellingOfTheSameQuery()
    {
        await commands.SubscribeAsync(Alice, "Drohne OR Rakete", null);
        Assert.True((await commands.UnsubscribeAsync(Alice, "Drohne, Rakete")).Success);
        Assert.Empty(store.All);
    }

    [Fact]
    public async Task PreviewStopsWhenItsBudgetIsSpentAndSaysHowManyEntriesItLookedAt()
    {
        state.Recent["ntv-ukraine"] = Enumerable.Range(0, 40)
            .Select(i => Item("ntv-ukraine", $"Drohnen über Kiew {i}", "Die Flugabwehr meldet Treffer.", 10)).ToList();

        // A clock on which every reading costs 100 ms: a budget of 1 s lets about ten entries through.
        var commands = new SubscriptionCommands(store, state, [new() { Id = "ntv-ukraine", Url = "https://example.invalid/a" }], limits, new SlowClock(TimeSpan.FromMilliseconds(100)));

        var reply = await commands.PreviewAsync(Alice, "Drohne", null);

        Assert.StartsWith("Preview of Drohne: 10 of the last 10 entries match", reply.Text, StringComparison.Ordinal);
    }

    /// <summary>Advances by a fixed step on every timestamp read, as if each step of the work cost that much.</summary>
    private sealed class SlowClock(TimeSpan step) : TimeProvider
    {
        private long ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Add(ref ticks, step.Ticks);
    }

    [Fact]
    public async Task PreviewListsUpToFiveMatchesWithTheirWordsWithoutSaving()
    {
        state.Recent["ntv-ukraine"] = Enumerable.Range(0, 8)
            .Select(i => Item("ntv-ukraine", $"Drohnen über Kiew {i}", "Die Flugabwehr meldet Treffer.", 10 - i)).ToList();
        state.Recent["tagesschau"] = [Item("tagesschau", "Zelensky in Berlin", "Selenskyj trifft Merz", 11)];

        var drones = await commands.PreviewAsync(Alice, "Drohne", null);
        Assert.True(drones.Success);
        var lines = drones.Text.Split('\n');
        Assert.Equal("Preview of Drohne: 8 of the last 9 entries match, the newest 5:", lines[0]);
        Assert.Equal("• 11:05 (Europe/Berlin) [ntv Ukraine] Drohnen über Kiew 0", lines[1]);
        Assert.Equal(7, lines.Length);
        Assert.True(drones.EmphasisEverywhere);
        Assert.Equal(["Drohnen"], drones.Emphasis);

        var alias = await commands.PreviewAsync(Alice, "Зеленський", "tagesschau");
        Assert.Equal(["Zelensky", "Selenskyj"], alias.Emphasis);
        Assert.Contains("[tagesschau] Zelensky in Berlin", alias.Text, StringComparison.Ordinal);

        var none = await commands.PreviewAsync(Alice, "Odessa", null);
        Assert.Equal("Preview of Odessa: no match among the last 9 entries of 2 source(s). Nothing was saved.", none.Text);

        Assert.False((await commands.PreviewAsync(Alice, "Drohne (", null)).Success);
        Assert.Empty(store.Calls);
    }

    [Fact]
    public async Task PauseAndResumeFlipTheSubscriberFlag()
    {
        await commands.PauseAsync(Alice);
        Assert.True((await store.GetSubscriberAsync(Alice.Id))!.Paused);
        Assert.Contains("paused", (await commands.SubscribeAsync(Alice, "Drohne", null)).Text, StringComparison.Ordinal);

        await commands.ResumeAsync(Alice);
        Assert.False((await store.GetSubscriberAsync(Alice.Id))!.Paused);
        Assert.Equal(["ensure telegram:1 group=False", "paused telegram:1 True", "add telegram:1 Drohne -", "paused telegram:1 False"], store.Calls);
    }

    [Fact]
    public void SourcesListsTheConfiguredSources() =>
        Assert.Equal("Sources (restrict a query to one with source:ID):\n• ntv-ukraine — ntv Ukraine\n• tagesschau", commands.Sources(Alice).Text);

    [Fact]
    public void HelpExplainsTheLanguageWithTheCommandSyntaxOfThePlatform()
    {
        var help = commands.Help(Alice, "/subscribe query:").Text;
        Assert.Contains("/subscribe query: Drohne", help, StringComparison.Ordinal);
        foreach (var part in new[] { "Aussenminister", "Drohnen", "Raketen*", "\"Angriff auf Kiew\"", " OR ", "-Odessa", "headline:", "source:", "/F-?16/" })
        {
            Assert.Contains(part, help, StringComparison.Ordinal);
        }

        // Every example in the help must itself be a valid query.
        foreach (var example in new[] { "Drohne", "Raketen*", "\"Angriff auf Kiew\"", "Drohne Kiew", "Drohne OR Rakete", "Drohne, Rakete", "Drohne -Odessa", "(Drohne OR Rakete) Kiew", "headline:Selenskyj", "/F-?16/" })
        {
            QueryParser.Parse(example);
        }
    }
}
