using System.Text;
using Alerts.Core.Tickers;
using static Alerts.Core.Tests.Tickers.TickerFixtures;

namespace Alerts.Core.Tests.Tickers;

/// <summary>A hostile page costs at most its budget; text at any depth a browser shows is read (issue 13, item 7).</summary>
public sealed class ParseBudgetTests
{
    private static readonly ParseContext Fetched = Context() with { Fetched = FetchTime.Now(Utc(2025, 11, 30, 13, 0)) };

    private static string Nested(int depth, string inner)
    {
        var sb = new StringBuilder("<!DOCTYPE html><html><body>");
        sb.Insert(sb.Length, "<div>", depth);
        sb.Append(inner);
        sb.Insert(sb.Length, "</div>", depth);
        return sb.Append("</body></html>").ToString();
    }

    [Theory]
    [InlineData(100)]
    [InlineData(600)]
    [InlineData(1990)]
    public void TickerTextNestedDeeperThanBrowsersNestElementsIsStillRead(int depth)
    {
        // Bare text with <br> inside 600 divs was lost: the parser's default cap of 512 dropped text below it.
        var html = Nested(depth, "Liveticker+++ 10:00 Tief verschachtelt +++<br>30.11.2025, 08:00 Uhr<br><br>Text eins.<br><br>+++ 09:00 Darunter +++<br>Text zwei.");

        var items = new NtvLivetickerParser().Parse(html, Fetched);

        Assert.Equal(["Tief verschachtelt", "Darunter"], items.Select(i => i.Headline));
        Assert.Equal(["Text eins.", "Text zwei."], items.Select(i => i.Body));
    }

    [Fact]
    public void APageNestingElementsBeyondTheBudgetFailsSayingSo()
    {
        var parser = new NtvLivetickerParser(new ParseBudget(TimeSpan.FromSeconds(30), MaxDepth: 300));

        var error = Assert.Throws<TickerParseException>(() => parser.Parse(Nested(400, "Liveticker+++ 10:00 Zu tief +++<br>Text."), Fetched));

        Assert.Contains("nests elements 300 or more deep", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AHundredThousandNestedDivsStopAtTheTimeBudgetWithAClearReason()
    {
        var parser = new NtvLivetickerParser(new ParseBudget(TimeSpan.FromMilliseconds(200), MaxDepth: 5_000));

        var error = Assert.Throws<TickerParseException>(() => parser.Parse(Nested(100_000, "Liveticker+++ 10:00 Zu teuer +++<br>Text."), Fetched));

        Assert.Contains("longer than its budget of 0.2 s", error.Message, StringComparison.Ordinal);
    }
}
