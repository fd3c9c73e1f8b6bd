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
