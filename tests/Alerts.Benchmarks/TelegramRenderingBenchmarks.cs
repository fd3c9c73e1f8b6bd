using System.Net;
using Alerts.Core.Delivery;
using Alerts.Telegram;
using BenchmarkDotNet.Attributes;

namespace Alerts.Benchmarks;

/// <summary>
/// Rendering one Telegram alert (escaping, bold matched words, length budget) against a baseline that only
/// HTML-encodes and concatenates the parts, for a typical entry and for an over-long one that must be shortened.
/// <code>dotnet run -c Release --project tests/Alerts.Benchmarks -- --filter '*TelegramRendering*' --job short</code>
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class TelegramRenderingBenchmarks
{
    private readonly AlertContext context = new("ntv.de Ukraine-Liveticker", TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));
    private OutboxAlert alert = null!;

    [Params(600, 20_000)]
    public int BodyLength { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        const string paragraph = "In der Nacht griffen russische Drohnen & Raketen <erneut> Kiew an. Die Flugabwehr meldet 40 Abschüsse. ";
        var body = string.Concat(Enumerable.Repeat(paragraph, BodyLength / paragraph.Length + 1))[..BodyLength];
        alert = new OutboxAlert(1, "telegram:42", "ntv-ukraine", "k", new DateTimeOffset(2025, 12, 1, 14, 29, 0, TimeSpan.Zero),
            "Drohnenangriff auf Kiew: \"schwerste Nacht\" <seit Wochen>", body, "https://www.n-tv.de/politik/x-article23143824.html",
            "Drohne*", ["Drohnen", "Kiew"], DateTimeOffset.UnixEpoch);
    }

    [Benchmark(Baseline = true)]
    public string EncodeAndConcatenate() =>
        $"<b>{WebUtility.HtmlEncode(alert.Headline)}</b>\n\n{WebUtility.HtmlEncode(alert.Body.Length > 3800 ? alert.Body[..3800] : alert.Body)}\n\n{WebUtility.HtmlEncode(context.SourceName)}\n<a href=\"{WebUtility.HtmlEncode(alert.Url)}\">link</a>";

    [Benchmark]
    public string Render() => TelegramAlertRenderer.Render(alert, context);
}
