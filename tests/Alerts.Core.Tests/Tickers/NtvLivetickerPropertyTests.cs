using System.Globalization;
using System.Text;
using Alerts.Core.Tickers;
using CsCheck;
using static Alerts.Core.Tests.Tickers.TickerFixtures;

namespace Alerts.Core.Tests.Tickers;

public sealed class NtvLivetickerPropertyTests
{
    private readonly NtvLivetickerParser parser = new();

    /// <summary>Gaps in minutes between consecutive entries, newest first (0 = same minute; large gaps cross midnight).</summary>
    private static readonly Gen<int[]> Gaps = Gen.Int[0, 400].Array[1, 40];

    [Fact]
    public void ANewEntryOnTopNeverChangesTheKeysOfTheEntriesBelow() =>
        Gen.Select(Gaps, Gen.Int[0, 3]).Sample((gaps, newGap) =>
        {
            const int topMinute = (20 * 60) + 0;
            var before = Page(topMinute, gaps, glueTitle: true);
            var after = Page(topMinute + newGap, [0, newGap, .. gaps[1..]], glueTitle: true);

            var oldKeys = parser.Parse(before, Context()).Select(i => i.Key).ToList();
            var newItems = parser.Parse(after, Context());

            Assert.Equal(oldKeys, newItems.Skip(1).Select(i => i.Key));
            Assert.Equal(newItems.Count, newItems.Select(i => i.Key).Distinct().Count());
        });

    [Fact]
    public void TextAndHtmlFormsAgreeAndTimesNeverRunForwardDownThePage() =>
        Gaps.Sample(gaps =>
        {
            var text = Page((23 * 60) + 59, gaps, glueTitle: false);

            var items = parser.Parse(text, Context());

            Assert.Equal(gaps.Length, items.Count);
            Assert.Equal(items, parser.Parse(AsHtml(text), Context()));
            Assert.True(items.Zip(items.Skip(1)).All(p => p.First.Published >= p.Second.Published));
        });

    /// <summary>A page dated 15.01.2026 whose top entry is at <paramref name="topMinute"/>; the first gap is ignored.</summary>
    private static string Page(int topMinute, int[] gaps, bool glueTitle)
    {
        var sb = new StringBuilder();
        var minute = topMinute;
        for (var i = 0; i < gaps.Length; i++)
        {
            if (i > 0)
            {
                minute = (((minute - gaps[i]) % 1440) + 1440) % 1440;
            }

            var heading = string.Create(CultureInfo.InvariantCulture, $"+++ {minute / 60:00}:{minute % 60:00} Meldung {gaps.Length - i} +++");
            if (i == 0)
            {
                sb.Append(glueTitle ? "Probe im Liveticker" + heading : heading).Append("\n\n15.01.2026, 06:00 Uhr\n\n");
            }
            else
            {
                sb.Append(heading).Append("\n\n");
            }

            sb.Append("Text der Meldung ").Append(gaps.Length - i).Append(".\n\n");
        }

        return sb.ToString();
    }
}
