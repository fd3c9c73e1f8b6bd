using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Text;
using Alerts.Core.Diffing;
using Alerts.Core.Tickers;
using AngleSharp.Html.Parser;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Alerts.Benchmarks;

/// <summary>
/// Issue 2's goals: the ntv parser's full cost on HTML at most 1.5x AngleSharp's bare ParseDocument on the same page
/// (the baseline, same run), and plain text at 100 MB/s or more (text bytes / mean time; sizes are printed at setup).
/// dotnet run -c Release --project tests/Alerts.Benchmarks -- --filter '*Parser*' --job short
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByParams)]
public class ParserBenchmarks
{
    private readonly NtvLivetickerParser parser = new();
    // Fetched the evening after the page's date line, as a poll would be: the days come from the fetch time.
    private readonly ParseContext context = new(
        "bench",
        new Uri("https://www.n-tv.de/politik/Bench-id1.html"),
        TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"),
        FetchTime.Now(new DateTimeOffset(2025, 12, 1, 23, 0, 0, TimeSpan.Zero)));
    private string html = "";
    private string text = "";
    private (string Headline, string Body)[] contents = [];

    [Params(30, 500)]
    public int Entries { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (html, text) = TickerPageGenerator.Generate(Entries);
        Console.WriteLine($"// {Entries} entries: HTML {html.Length * 2 / 1024.0:0.0} KiB as UTF-16 ({Encoding.UTF8.GetByteCount(html) / 1024.0:0.0} KiB UTF-8), text {Encoding.UTF8.GetByteCount(text) / 1e6:0.000} MB UTF-8");
        if (parser.Parse(html, context).Count != Entries || parser.Parse(text, context).Count != Entries)
        {
            throw new InvalidOperationException("generated page does not parse into the expected entries");
        }

        contents = parser.Parse(text, context).Select(i => (i.Headline, i.Body)).ToArray();
        WarmUntilTheJitSettles();
    }

    /// <summary>
    /// Each benchmark runs in a fresh process, where tiered compilation first runs AngleSharp's and the parser's code
    /// unoptimised (tier 0, then instrumented) and recompiles it in the background. A short job's few iterations then
    /// measure how far that has got, not the parser; the poller runs optimised code after its first hour. So every
    /// process runs all three parses, the same way whichever benchmark it is for, until no method has been compiled for
    /// a second (or 60 s have passed, on a machine too busy to finish).
    /// </summary>
    private void WarmUntilTheJitSettles()
    {
        var started = Stopwatch.GetTimestamp();
        var quietSince = started;
        var compiled = JitInfo.GetCompiledMethodCount();
        var rounds = 0;
        while (Stopwatch.GetElapsedTime(quietSince) < TimeSpan.FromSeconds(1) && Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(60))
        {
            new HtmlParser().ParseDocument(html);
            parser.Parse(html, context);
            parser.Parse(text, context);
            rounds++;
            if (JitInfo.GetCompiledMethodCount() is var now && now != compiled)
            {
                compiled = now;
                quietSince = Stopwatch.GetTimestamp();
            }
        }

        Console.WriteLine($"// warmed up: {rounds} rounds in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s, {compiled} methods compiled");
    }

    [Benchmark(Baseline = true)]
    public object BareAngleSharpParseDocument() => new HtmlParser().ParseDocument(html);

    [Benchmark]
    public object NtvParserOnHtml() => parser.Parse(html, context);

    [Benchmark]
    public object NtvParserOnText() => parser.Parse(text, context);

    /// <summary>The part of both parses that is the content hash per entry (<c>ItemIdentity.ContentHash</c>, a Core contract).</summary>
    [Benchmark]
    public int ContentHashesAlone()
    {
        var total = 0;
        foreach (var (headline, body) in contents)
        {
            total += ItemIdentity.ContentHash(headline, body).Length;
        }

        return total;
    }
}

/// <summary>A ticker page of made-up entries, as HTML (with the usual page furniture) and as its plain text.</summary>
public static class TickerPageGenerator
{
    private static readonly string[] Sentences =
    [
        "Die Behörden melden am Vormittag neue Angriffe auf die Energieversorgung im Osten des Landes.",
        "Nach Angaben des Bürgermeisters sind mehrere Wohnhäuser beschädigt worden, Verletzte gebe es nicht.",
        "Ein Sprecher des Ministeriums kündigt für den Nachmittag weitere Gespräche mit den Partnern an.",
        "\"Wir arbeiten mit Hochdruck an einer Lösung\", sagt die Ministerin vor Journalisten in Brüssel.",
        "Beobachter rechnen nicht mit einer schnellen Einigung, die Positionen liegen weit auseinander.",
        "Der Nahverkehr in der Hauptstadt läuft nach dem Stromausfall inzwischen wieder weitgehend normal.",
    ];

    public static (string Html, string Text) Generate(int entries)
    {
        var html = new StringBuilder(entries * 1400);
        var text = new StringBuilder(entries * 900);
        html.Append("<!DOCTYPE html><html lang=\"de\"><head><meta charset=\"utf-8\"><title>Bench im Liveticker</title>")
            .Append("<link rel=\"canonical\" href=\"https://www.n-tv.de/politik/Bench-article1.html\">")
            .Append("<script>window.dataLayer=[{\"page\":\"ticker\"}];</script><style>.a{color:red}</style></head><body>")
            .Append("<nav><ul><li><a href=\"/\">Start</a></li><li><a href=\"/politik\">Politik</a></li></ul></nav><main><article class=\"article\">");
        text.Append("Politik\n\n");

        var minutes = (23 * 60) + 59;
        for (var i = 0; i < entries; i++)
        {
            minutes = ((minutes - 7 - (i % 5)) % 1440 + 1440) % 1440;
            var time = string.Create(CultureInfo.InvariantCulture, $"{minutes / 60:00}:{minutes % 60:00}");
            var headline = $"Meldung Nummer {i + 1}: {Sentences[i % Sentences.Length][..40].TrimEnd()}";
            var p1 = Sentences[i % Sentences.Length] + " " + Sentences[(i + 1) % Sentences.Length] + " " + Sentences[(i + 2) % Sentences.Length];
            var p2 = Sentences[(i + 3) % Sentences.Length] + " " + Sentences[(i + 4) % Sentences.Length];
            if (i == 0)
            {
                html.Append("<header><h1><span>Bench im Liveticker</span><span>+++ ").Append(time).Append(' ').Append(headline).Append(" +++</span></h1>")
                    .Append("<div class=\"meta\"><span>01.12.2025, 00:10 Uhr</span></div></header><div class=\"article__text\">");
                text.Append("Bench im Liveticker+++ ").Append(time).Append(' ').Append(headline).Append(" +++\n\n01.12.2025, 00:10 Uhr\n\n");
            }
            else
            {
                html.Append("<h2 id=\"entry-").Append(i).Append("\" class=\"ticker__headline\">+++ ").Append(time).Append(' ').Append(headline).Append(" +++</h2>");
                text.Append("+++ ").Append(time).Append(' ').Append(headline).Append(" +++\n\n");
            }

            html.Append("<p>").Append(p1).Append("</p><p>").Append(p2).Append("</p>");
            text.Append(p1).Append("\n\n").Append(p2).Append("\n\n");
            if (i % 10 == 5)
            {
                html.Append("<figure><img src=\"/a.jpg\" alt=\"Ein-Bild-von-der-Front\"><figcaption>Ein Bild von der Front. +++ dpa-Bildfunk +++ <span>(Foto: picture alliance)</span></figcaption></figure>");
                text.Append("Ein-Bild-von-der-Front\nEin Bild von der Front. +++ dpa-Bildfunk +++ (Foto: picture alliance)\n\n");
            }
        }

        html.Append("<p>Alle früheren Entwicklungen können Sie hier nachverfolgen.</p></div></article></main><footer><p>Impressum</p></footer></body></html>");
        text.Append("Alle früheren Entwicklungen können Sie hier nachverfolgen.\n");
        return (html.ToString(), text.ToString());
    }
}
