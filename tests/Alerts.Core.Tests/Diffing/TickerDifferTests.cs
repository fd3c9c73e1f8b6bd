using Alerts.Core.Diffing;
using Alerts.Core.Tickers;

namespace Alerts.Core.Tests.Diffing;

public sealed class TickerDifferTests
{
    private static readonly DateTimeOffset Noon = new(2025, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void FirstPollIsABaselineThatAlertsNothing()
    {
        var page = new[] { Item(Noon, "Selenskyj trifft Macron"), Item(Noon.AddMinutes(-5), "Drohnenangriff auf Kiew") };

        var result = TickerDiffer.Diff(page, state: null);

        Assert.True(result.IsBaseline);
        Assert.Empty(result.New);
        Assert.Empty(result.Updated);
    }

    [Fact]
    public void FirstPollOfAnEmptyPageIsABaselineToo()
    {
        var result = TickerDiffer.Diff([], state: null);

        Assert.True(result.IsBaseline);
        Assert.Empty(result.New);
    }

    [Fact]
    public void AnUnseenKeyIsNew()
    {
        var old = Item(Noon, "Selenskyj trifft Macron");
        var fresh = Item(Noon.AddMinutes(7), "Explosionen in Charkiw");

        var result = TickerDiffer.Diff([fresh, old], StateOf(old));

        Assert.False(result.IsBaseline);
        Assert.Equal([fresh], result.New);
        Assert.Empty(result.Updated);
    }

    [Fact]
    public void AnEntryAddedAboveExistingOnesIsTheOnlyNewOne()
    {
        var first = Item(Noon.AddMinutes(-30), "Kreml weist Vorwürfe zurück");
        var second = Item(Noon.AddMinutes(-10), "Nato-Treffen in Brüssel");
        var third = Item(Noon, "Waffenruhe gefordert");
        var top = Item(Noon.AddMinutes(4), "Neue Sanktionen beschlossen");

        var result = TickerDiffer.Diff([top, third, second, first], StateOf(third, second, first));

        Assert.Equal([top], result.New);
        Assert.Empty(result.Updated);
    }

    [Fact]
    public void UnchangedPageHasNothingNewOrUpdated()
    {
        var a = Item(Noon, "Selenskyj trifft Macron");
        var b = Item(Noon.AddMinutes(-3), "Explosionen in Charkiw");

        var result = TickerDiffer.Diff([a, b], StateOf(a, b));

        Assert.Empty(result.New);
        Assert.Empty(result.Updated);
    }

    [Fact]
    public void ATypoFixInTheHeadlineIsAnUpdateNotANewItem()
    {
        var before = Item(Noon, "Selenskyj trift Macron");
        var after = before with { Headline = "Selenskyj trifft Macron", ContentHash = ItemIdentity.ContentHash("Selenskyj trifft Macron", before.Body) };

        var result = TickerDiffer.Diff([after], StateOf(before));

        Assert.Empty(result.New);
        Assert.Equal([after], result.Updated);
    }

    [Fact]
    public void AnEditedBodyIsAnUpdateNotANewItem()
    {
        var before = Item(Noon, "Explosionen in Charkiw", "Erste Berichte.");
        var after = Item(Noon, "Explosionen in Charkiw", "Erste Berichte.\n\nDer Bürgermeister bestätigt drei Einschläge.");

        var result = TickerDiffer.Diff([after], StateOf(before));

        Assert.Empty(result.New);
        Assert.Equal([after], result.Updated);
    }

    [Fact]
    public void ACorrectedTimeIsAnUpdateNotANewItem()
    {
        // Same entry, hour fixed from 13:05 to 12:05: the time-derived key changes, the headline stays.
        var before = Item(Noon.AddMinutes(65), "Luftalarm in der gesamten Ukraine");
        var after = Item(Noon.AddMinutes(5), "Luftalarm in der gesamten Ukraine");
        Assert.NotEqual(before.Key, after.Key);

        var result = TickerDiffer.Diff([after], StateOf(before));

        Assert.Empty(result.New);
        Assert.Equal([after], result.Updated);
    }

    [Fact]
    public void AnUpdateNamesTheKeyItWasSeenUnderSoThatItsAlertsCanFollowIt()
    {
        var moved = Item(Noon.AddMinutes(65), "Luftalarm in der gesamten Ukraine");
        var movedNow = Item(Noon.AddMinutes(5), "Luftalarm in der gesamten Ukraine");
        var edited = Item(Noon, "Explosionen in Charkiw", "Erste Berichte.");
        var editedNow = Item(Noon, "Explosionen in Charkiw", "Erste Berichte. Drei Einschläge.");

        var result = TickerDiffer.Diff([movedNow, editedNow], StateOf(moved, edited));

        Assert.Equal([new ItemUpdate(movedNow, moved.Key), new ItemUpdate(editedNow, edited.Key)], result.Updates);
    }

    [Fact]
    public void ACorrectedTimeWithARepunctuatedHeadlineIsStillAnUpdate()
    {
        var before = Item(Noon.AddMinutes(65), "Luftalarm in der gesamten Ukraine");
        var after = Item(Noon.AddMinutes(5), "Luftalarm in der gesamten Ukraine!");

        var result = TickerDiffer.Diff([after], StateOf(before));

        Assert.Empty(result.New);
        Assert.Equal([after], result.Updated);
    }

    [Fact]
    public void TheSameHeadlineTwiceOnThePageIsTwoEntries()
    {
        var morning = Item(Noon.AddHours(-4), "Luftalarm in Kiew");
        var noon = Item(Noon, "Luftalarm in Kiew");

        var result = TickerDiffer.Diff([noon, morning], StateOf(morning));

        Assert.Equal([noon], result.New);
    }

    [Fact]
    public void AHeadlineRepeatedTheNextDayIsNewEvenWhenTheOldEntryHasLeftThePage()
    {
        var yesterday = Item(Noon.AddDays(-1), "Luftalarm in Kiew");
        var today = Item(Noon, "Luftalarm in Kiew");

        var result = TickerDiffer.Diff([today], StateOf(yesterday));

        Assert.Equal([today], result.New);
    }

    [Fact]
    public void OneVanishedEntryExplainsAtMostOneNewKey()
    {
        var before = Item(Noon.AddMinutes(65), "Luftalarm in der gesamten Ukraine");
        var farther = Item(Noon.AddMinutes(5), "Luftalarm in der gesamten Ukraine");
        var nearer = Item(Noon.AddMinutes(30), "Luftalarm in der gesamten Ukraine");

        var result = TickerDiffer.Diff([nearer, farther], StateOf(before));

        // The nearest in time takes the old entry's place; the other is a new entry with the same headline.
        Assert.Equal([farther], result.New);
        Assert.Equal([nearer], result.Updated);
    }

    [Fact]
    public void AnEntryThatSlidOutAndCameBackIsNotNew()
    {
        var a = Item(Noon, "Selenskyj trifft Macron");
        var b = Item(Noon.AddMinutes(-3), "Explosionen in Charkiw");
        var state = StateOf(a, b);

        // Poll 2: b slid off the bottom; poll 3: it is back (the page shrank again).
        var withoutB = TickerDiffer.Diff([a], state);
        var withB = TickerDiffer.Diff([a, b], state);

        Assert.Empty(withoutB.New);
        Assert.Empty(withB.New);
        Assert.Empty(withB.Updated);
    }

    [Fact]
    public void DuplicateKeysOnOnePageCountOnceAndTheTopmostWins()
    {
        var top = Item(Noon, "Neue Sanktionen beschlossen", "Fassung oben.");
        var lower = top with { Body = "Fassung unten.", ContentHash = ItemIdentity.ContentHash(top.Headline, "Fassung unten.") };

        var result = TickerDiffer.Diff([top, lower], StateOf());

        Assert.Equal([top], result.New);
        Assert.Empty(result.Updated);
    }

    [Fact]
    public void TheResultDoesNotDependOnSeenSetOrder()
    {
        var before1 = Item(Noon.AddMinutes(65), "Luftalarm in der gesamten Ukraine");
        var before2 = Item(Noon.AddMinutes(-55), "Luftalarm in der gesamten Ukraine");
        var after = Item(Noon.AddMinutes(5), "Luftalarm in der gesamten Ukraine");

        var forward = TickerDiffer.Diff([after], StateOf(before1, before2));
        var backward = TickerDiffer.Diff([after], StateOf(before2, before1));

        Assert.Equal(forward, backward, new DiffComparer());
        Assert.Equal([after], forward.Updated);
    }

    private static TickerItem Item(DateTimeOffset published, string headline, string body = "Text.") =>
        new("ntv-ukraine", ItemIdentity.TimeKey(published, 1), published, headline, body, null, ItemIdentity.ContentHash(headline, body));

    private static SourceState StateOf(params TickerItem[] items) =>
        new(
            items.ToDictionary(i => i.Key, i => new SeenItem(i.Key, i.ContentHash, ItemIdentity.HeadlineFingerprint(i.Headline), i.Published)),
            ETag: null,
            LastModified: null,
            LastSuccessAt: Noon,
            ConsecutiveFailures: 0,
            LastError: null);

    private sealed class DiffComparer : IEqualityComparer<DiffResult>
    {
        public bool Equals(DiffResult? x, DiffResult? y) =>
            x is not null && y is not null && x.IsBaseline == y.IsBaseline && x.New.SequenceEqual(y.New) && x.Updated.SequenceEqual(y.Updated);

        public int GetHashCode(DiffResult obj) => obj.New.Count;
    }
}
