using Alerts.Core.Tickers;
using static Alerts.Core.Tests.Tickers.TickerFixtures;

namespace Alerts.Core.Tests.Tickers;

/// <summary>The real page text in shared/samples must parse into exactly the entries a reader sees (issue 2).</summary>
public sealed class SharedSampleTests
{
    private const string SampleName = "ntv-ukraine-liveticker-2025-12-01.txt";

    [Fact]
    public void TheUkraineSampleParsesIntoTheEntriesAReaderSees()
    {
        var path = SharedSample(SampleName);
        if (path is null)
        {
            // xunit 2 has no dynamic skip: without shared/ beside the repository there is nothing to check.
            return;
        }

        var text = File.ReadAllText(path);
        var items = new NtvLivetickerParser().Parse(text, Context(sourceId: "ntv-ukraine"));

        // Counted by hand: 30 "+++ HH:MM" headings at line starts plus the one glued to the title; the
        // "+++ dpa-Bildfunk +++" caption is not an entry.
        Assert.Equal(31, items.Count);
        Assert.Equal("Höllischer Stau an der russisch-kasachischen Grenze", items[0].Headline);
        Assert.Equal("Rubio sieht weiteren Verhandlungsbedarf", items[^1].Headline);
        Assert.StartsWith("Ein Kilometer langer Lkw-Stau", items[0].Body, StringComparison.Ordinal);
        Assert.Equal(Utc(2025, 12, 1, 14, 29), items[0].Published); // 15:29 CET

        var midnight = items.Single(i => i.Headline.StartsWith("Deutsche Rüstungskonzerne", StringComparison.Ordinal));
        Assert.Equal(Utc(2025, 11, 30, 23, 32), midnight.Published); // 00:32 on 01.12. CET

        var vilnius = items.Single(i => i.Headline == "Flughafen in Vilnius erneut lahmgelegt");
        Assert.Equal(Utc(2025, 11, 30, 22, 4), vilnius.Published); // 23:04 on 30.11.
        Assert.Equal(Utc(2025, 11, 30, 20, 13), items[^1].Published); // 21:13 on 30.11.
        Assert.All(items.SkipWhile(i => i != vilnius), i => Assert.Equal(30, TimeZoneInfo.ConvertTime(i.Published, Berlin).Day));

        Assert.Contains(items, i => i.Headline == "\"Deutschland ist in einem Aufwach-Stadium");
        var macron = items.Single(i => i.Headline.StartsWith("Macron will", StringComparison.Ordinal));
        Assert.EndsWith("mit den europäischen Verbündeten der Ukraine.", macron.Body, StringComparison.Ordinal);
        Assert.All(items, i =>
        {
            Assert.DoesNotContain("dpa-Bildfunk", i.Body, StringComparison.Ordinal);
            Assert.DoesNotContain("Foto:", i.Body, StringComparison.Ordinal);
            Assert.DoesNotContain("früheren Entwicklungen", i.Body, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(i.Body));
        });
        Assert.Equal(items.Count, items.Select(i => i.Key).Distinct().Count());
        Assert.True(items.Zip(items.Skip(1)).All(p => p.First.Published > p.Second.Published));

        // The same page as HTML reads identically.
        Assert.Equal(items, new NtvLivetickerParser().Parse(AsHtml(text), Context(sourceId: "ntv-ukraine")));
    }
}
