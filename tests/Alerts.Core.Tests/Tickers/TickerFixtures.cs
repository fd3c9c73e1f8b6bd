using Alerts.Core.Tickers;

namespace Alerts.Core.Tests.Tickers;

internal static class TickerFixtures
{
    public static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    public static string Read(string relativePath) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", relativePath));

    public static ParseContext Context(string? url = null, string sourceId = "test") =>
        new(sourceId, url is null ? null : new Uri(url), Berlin);

    public static DateTimeOffset Utc(int year, int month, int day, int hour, int minute) =>
        new(year, month, day, hour, minute, 0, TimeSpan.Zero);

    /// <summary>
    /// The same page as simple HTML: each blank-line-separated block a <c>&lt;p&gt;</c>, its lines joined by
    /// <c>&lt;br&gt;</c>, inside a few wrappers, with a script and a nav that must not count.
    /// </summary>
    public static string AsHtml(string text)
    {
        var blocks = text.Replace("\r", "", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var paragraphs = blocks.Select(b => "<p class=\"p\">" + string.Join("<br>", b.Split('\n').Select(System.Net.WebUtility.HtmlEncode)) + "</p>");
        return "<!DOCTYPE html><html><head><title>+++ 00:00 Titel +++</title><script>var s = '+++ 01:00 x +++';</script></head><body>"
            + "<nav><a href=\"/\">+++ 02:00 Navigation +++</a></nav><div class=\"wrap\"><div>"
            + string.Join("\n", paragraphs) + "</div></div></body></html>";
    }

    /// <summary>The repository's <c>shared/samples</c> folder, found by walking up from the test binaries; null when absent.</summary>
    public static string? SharedSample(string fileName)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "samples", fileName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
