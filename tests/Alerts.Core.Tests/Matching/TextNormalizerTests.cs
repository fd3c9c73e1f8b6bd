using Alerts.Core.Matching;

namespace Alerts.Core.Tests.Matching;

public class TextNormalizerTests
{
    [Theory]
    [InlineData("Äußerung", "ausserung")]
    [InlineData("AEUSSERUNG", "ausserung")]
    [InlineData("Muenchen", "munchen")]
    [InlineData("Feuer", "feuer")]
    [InlineData("Quelle", "quelle")]
    [InlineData("Österreich", "osterreich")]
    [InlineData("Erdoğan", "erdogan")]
    [InlineData("Зеленський", "зеленський")]
    public void FoldsCaseUmlautsAndDiacritics(string word, string folded) => Assert.Equal(folded, TextNormalizer.Fold(word));

    [Theory]
    [InlineData("drohnen", "drohn")]
    [InlineData("drohne", "drohn")]
    [InlineData("soldaten", "soldat")]
    [InlineData("raketenangriff", "raketenangriff")]
    [InlineData("ministers", "minist")]
    [InlineData("minister", "minist")]
    [InlineData("attacked", "attack")]
    [InlineData("countries", "country")]
    [InlineData("nato", "nato")]
    [InlineData("2025", "2025")]
    public void StemsLightly(string folded, string stem) => Assert.Equal(stem, TextNormalizer.Stem(folded));

    [Fact]
    public void TokenizesCompoundsIntoTheWholeAndItsParts()
    {
        var tokens = TextNormalizer.Default.Tokenize("Die Nato-Äußerungen, 10.000 Soldaten; Putin's Plan");
        Assert.Equal(
            ["die@0", "natoausserungen@1*", "nato@1", "ausserungen@2", "10.000@3", "soldaten@4", "putin@5", "plan@6"],
            tokens.Select(t => $"{t.Folded}@{t.Position}{(t.IsCompoundWhole ? "*" : "")}"));
        var whole = tokens[1];
        Assert.Equal("Nato-Äußerungen", "Die Nato-Äußerungen, 10.000 Soldaten; Putin's Plan".Substring(whole.Start, whole.Length));
    }

    [Fact]
    public void DoesNotJoinAcrossDashesWithSpacesOrTrailingHyphens()
    {
        var tokens = TextNormalizer.Default.Tokenize("Nato- und EU-Staaten - heute");
        Assert.Equal(["nato", "und", "eustaaten", "eu", "staaten", "heute"], tokens.Select(t => t.Folded));
    }
}
