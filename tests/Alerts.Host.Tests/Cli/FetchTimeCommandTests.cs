using System.Text.Json;

namespace Alerts.Host.Tests.Cli;

/// <summary>
/// <c>check --now</c> and file modification times as fetch times, and <c>replay</c> across midnight (SPEC §1, §8,
/// issue 9): each snapshot's modification time is when it was fetched.
/// </summary>
public sealed class FetchTimeCommandTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("alerts-fetchtime-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>An ntv page as text; <paramref name="dateLine"/> null for a saved page without one.</summary>
    private static string Page(string? dateLine, params (string Time, string Headline)[] entries)
    {
        var sb = new System.Text.StringBuilder("Politik\n\n");
        for (var i = 0; i < entries.Length; i++)
        {
            var (time, headline) = entries[i];
            sb.Append(i == 0 ? $"Ukraine-Krieg im Liveticker+++ {time} {headline} +++\n\n" : $"+++ {time} {headline} +++\n\n");
            if (i == 0 && dateLine is not null)
            {
                sb.Append(dateLine).Append("\n\n");
            }

            sb.Append("Meldung: ").Append(headline).Append(".\n\n");
        }

        return sb.Append("Alle früheren Entwicklungen können Sie hier nachverfolgen.\n").ToString();
    }

    private string Write(string name, string content, DateTimeOffset modifiedUtc)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, content);
        File.SetLastWriteTimeUtc(path, modifiedUtc.UtcDateTime);
        return path;
    }

    private static DateTimeOffset Utc(int month, int day, int hour, int minute) => new(2025, month, day, hour, minute, 0, TimeSpan.Zero);

    public static TheoryData<bool> WithAndWithoutDateLines => new() { true, false };

    [Theory]
    [MemberData(nameof(WithAndWithoutDateLines))]
    public async Task ReplayAcrossMidnightAlertsOncePerNewEntryWithItsUtcTime(bool dateLines)
    {
        string? Line(string text) => dateLines ? text : null;
        var subscriptions = Path.Combine(dir, "subs.json");
        await File.WriteAllTextAsync(subscriptions, """[{ "subscriber": "telegram:7", "query": "Kiew OR Odessa" }]""");

        // 30.11. 23:55 Berlin; 01.12. 00:05 with the date line still on 30.11.; 00:20 after the republish; 00:40 nothing new.
        string[] snapshots =
        [
            Write("s1-article23143824.txt", Page(Line("30.11.2025, 00:10 Uhr"), ("23:50", "Luftalarm in Kiew"), ("23:20", "Angriff auf Odessa")), Utc(11, 30, 22, 55)),
            Write("s2-article23143824.txt", Page(Line("30.11.2025, 00:10 Uhr"), ("00:03", "Explosionen in Kiew"), ("23:50", "Luftalarm in Kiew"), ("23:20", "Angriff auf Odessa")), Utc(11, 30, 23, 5)),
            Write("s3-article23143824.txt", Page(Line("01.12.2025, 00:10 Uhr"), ("00:14", "Entwarnung in Odessa"), ("00:03", "Explosionen in Kiew"), ("23:50", "Luftalarm in Kiew"), ("23:20", "Angriff auf Odessa")), Utc(11, 30, 23, 20)),
            Write("s4-article23143824.txt", Page(Line("01.12.2025, 00:10 Uhr"), ("00:14", "Entwarnung in Odessa"), ("00:03", "Explosionen in Kiew"), ("23:50", "Luftalarm in Kiew"), ("23:20", "Angriff auf Odessa")), Utc(11, 30, 23, 40)),
        ];

        var (code, stdout, stderr) = await CliRunner.Run(["replay", "--subscriptions", subscriptions, .. snapshots, "--json"]);

        Assert.Equal("", stderr);
        Assert.Equal(0, code);
        Assert.Equal(
            [("Explosionen in Kiew", "2025-11-30T23:03:00Z"), ("Entwarnung in Odessa", "2025-11-30T23:14:00Z")],
            Lines(stdout).Select(l => (l.GetProperty("headline").GetString(), l.GetProperty("published").GetString())));
    }

    [Fact]
    public async Task CheckNowIsTheFetchTimeThatDatesTheEntries()
    {
        var file = Write("stale.txt", Page("30.11.2025, 00:10 Uhr", ("00:03", "Explosionen in Kiew"), ("23:50", "Luftalarm in Kiew")), Utc(6, 1, 12, 0));

        var (code, stdout, stderr) = await CliRunner.Run("check", file, "--now", "2025-12-01T00:05:00+01:00", "--json");

        Assert.Equal("", stderr);
        Assert.Equal(0, code);
        Assert.Equal(["2025-11-30T23:03:00Z", "2025-11-30T22:50:00Z"], Lines(stdout).Select(l => l.GetProperty("published").GetString()));
    }

    [Fact]
    public async Task CheckWithoutNowTakesAFilesModificationTimeUpToADayAfterTheCreation()
    {
        var noDateLine = Write("undated.txt", Page(null, ("00:03", "Explosionen in Kiew"), ("23:50", "Luftalarm in Kiew")), Utc(11, 30, 23, 5));
        var copiedLater = Write("copied.txt", Page("30.11.2025, 00:10 Uhr", ("15:29", "Stau an der Grenze"), ("14:54", "Kämpfe bei Pokrowsk")), new DateTimeOffset(2026, 5, 2, 9, 0, 0, TimeSpan.Zero));

        var (_, undated, _) = await CliRunner.Run("check", noDateLine, "--json");
        var (_, copied, _) = await CliRunner.Run("check", copiedLater, "--json");

        Assert.Equal(["2025-11-30T23:03:00Z", "2025-11-30T22:50:00Z"], Lines(undated).Select(l => l.GetProperty("published").GetString()));
        Assert.Equal(["2025-11-30T14:29:00Z", "2025-11-30T13:54:00Z"], Lines(copied).Select(l => l.GetProperty("published").GetString()));
    }

    [Theory]
    [InlineData("2025-12-01T00:05:00")]
    [InlineData("gestern")]
    public async Task CheckRefusesANowWithoutAnOffset(string now)
    {
        var file = Write("p.txt", Page("30.11.2025, 00:10 Uhr", ("10:00", "Oben")), Utc(11, 30, 10, 0));

        var (code, _, stderr) = await CliRunner.Run("check", file, "--now", now);

        Assert.Equal(2, code);
        Assert.Contains("--now", stderr, StringComparison.Ordinal);
        Assert.Contains("offset", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Ukraine-Krieg-im-Liveticker-id30012345.txt")]
    [InlineData("Ukraine-Krieg-im-Liveticker-article30012345.txt")]
    public async Task CheckKeysASavedPageOnItsArticleIdInEitherAddressForm(string name)
    {
        var file = Write(name, Page("30.11.2025, 00:10 Uhr", ("10:00", "Oben")), Utc(11, 30, 10, 0));

        var (_, stdout, _) = await CliRunner.Run("check", file, "--json");

        Assert.Equal("ntv-30012345", Assert.Single(Lines(stdout)).GetProperty("source").GetString());
    }

    [Fact]
    public async Task CheckReadsTheCanonicalLinkOfASavedPageInThe2025Form()
    {
        var html = "<html><head><link rel=\"canonical\" href=\"https://www.n-tv.de/politik/Neuer-Titel-id30012345.html\"></head><body>"
            + "<h1>Ukraine-Krieg im Liveticker +++ 10:00 Oben +++</h1><p>30.11.2025, 08:00 Uhr</p><p>Text.</p></body></html>";
        var file = Write("gespeichert.html", html, Utc(11, 30, 10, 0));

        var (_, stdout, _) = await CliRunner.Run("check", file, "--json");

        var line = Assert.Single(Lines(stdout));
        Assert.Equal("ntv-30012345", line.GetProperty("source").GetString());
        Assert.Equal("https://www.n-tv.de/politik/Neuer-Titel-id30012345.html", line.GetProperty("url").GetString());
    }

    private static List<JsonElement> Lines(string stdout) =>
        [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)];
}
