using System.Text.Json;
using Alerts.Core.Diffing;

namespace Alerts.Host.Tests.Cli;

public sealed class QueryAndReplayCommandTests
{
    private static readonly string[] Snapshots =
    [
        CliRunner.Fixture("replay", "snapshot-1-article99887766.txt"),
        CliRunner.Fixture("replay", "snapshot-2-article99887766.txt"),
        CliRunner.Fixture("replay", "snapshot-3-article99887766.txt"),
    ];

    private static readonly string Subscriptions = CliRunner.Fixture("replay", "subscriptions.json");

    [Fact]
    public async Task CheckWithQueryPrintsOnlyMatchingItemsWithTheMatchedWords()
    {
        var (code, stdout, stderr) = await CliRunner.Run("check", Snapshots[2], "--query", "Drohne OR Aussenministerin", "--json");

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        var lines = JsonLines(stdout);
        Assert.Equal(["Außenministerin reist nach Kiew", "Drohnenangriff auf Umspannwerk: Drohnen über der Hauptstadt"], lines.Select(l => l.GetProperty("headline").GetString()));
        Assert.Equal(["Außenministerin", "Aussenministerin"], Strings(lines[0].GetProperty("matched")));
        Assert.Equal(["Drohnen"], Strings(lines[1].GetProperty("matched")));
        Assert.All(lines, l => Assert.Equal("ntv-99887766", l.GetProperty("source").GetString()));
    }

    [Fact]
    public async Task CheckWithAPlainWordDoesNotMatchInsideAClosedCompound()
    {
        var (code, stdout, _) = await CliRunner.Run("check", Snapshots[2], "--query", "Angriff", "--json");

        Assert.Equal(0, code);
        // "Drohnenangriff" must not count; the body's separate word "Angriff" does.
        var line = Assert.Single(JsonLines(stdout));
        Assert.Equal(["Angriff"], Strings(line.GetProperty("matched")));
    }

    [Fact]
    public async Task ReplayAlertsNewEntriesOnlyOncePerSubscriberAndNeverForEditsOrReturningEntries()
    {
        var (code, stdout, stderr) = await CliRunner.Run(["replay", "--subscriptions", Subscriptions, .. Snapshots, "--json"]);

        Assert.Equal(0, code);
        Assert.All(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.StartsWith("warning: ", line, StringComparison.Ordinal)); // discord-user:5005 wants another source
        var alerts = JsonLines(stdout).Select(l => (
            Subscriber: l.GetProperty("subscriber").GetString(),
            Query: l.GetProperty("query").GetString(),
            Key: l.GetProperty("key").GetString(),
            Published: l.GetProperty("published").GetString(),
            Matched: string.Join("|", Strings(l.GetProperty("matched"))))).ToList();

        // Snapshot 2: one new entry. telegram:1001 has two matching subscriptions but gets one alert carrying
        // both subscriptions' words; the edited 10:15 headline ("… im Winter") alerts nobody, although
        // discord-user:3003 wants "Stromausfall"; discord-user:5005 is restricted to another source.
        // Snapshot 3: one new entry; the 08:05 entry that slid out in snapshot 2 and came back is not new.
        // Within an item, alerts come in subscriber id order.
        var drone = ItemIdentity.EntryKey(new TimeOnly(11, 2), "Drohnenangriff auf Umspannwerk: Drohnen über der Hauptstadt");
        var minister = ItemIdentity.EntryKey(new TimeOnly(11, 30), "Außenministerin reist nach Kiew");
        Assert.Equal(
            [
                ("telegram:1001", "Drohne", drone, "2026-03-02T10:02:00Z", "Umspannwerk|Drohnen"),
                ("telegram:2002", "Selenskyj", drone, "2026-03-02T10:02:00Z", "Zelensky"),
                ("discord-user:3003", "Aussenministerin OR Stromausfall", minister, "2026-03-02T10:30:00Z", "Außenministerin|Aussenministerin"),
                ("telegram:2002", "Selenskyj", minister, "2026-03-02T10:30:00Z", "Selenskyj"),
            ],
            alerts);
    }

    [Fact]
    public async Task ReplayTreatsTheFirstSnapshotAsTheBaseline()
    {
        var (code, stdout, _) = await CliRunner.Run("replay", "--subscriptions", Subscriptions, Snapshots[2], "--json");

        Assert.Equal(0, code);
        Assert.Equal("", stdout);
    }

    [Fact]
    public async Task ReplayHonoursAnExplicitSourceId()
    {
        var (code, stdout, _) = await CliRunner.Run(["replay", "--subscriptions", Subscriptions, .. Snapshots, "--source-id", "other-ticker", "--json"]);

        Assert.Equal(0, code);
        var subscribers = JsonLines(stdout).Select(l => l.GetProperty("subscriber").GetString()).ToList();
        Assert.Contains("discord-user:5005", subscribers);
        Assert.DoesNotContain("discord-user:3003", subscribers);
    }

    [Theory]
    [InlineData("""[{"subscriber": "a", "query": "(Drohne"}]""", "subs.json: [0].query '(Drohne': ")]
    [InlineData("""{"subscriber": "a"}""", "expected a JSON array")]
    [InlineData("""[{"subscriber": "a"}]""", "[0].query is missing or empty")]
    [InlineData("""[{"subscriber": "a", "query": 5}]""", "[0].query must be a string")]
    [InlineData("""[{"subscriber": "a", "query": "x" """, "not valid JSON")]
    public async Task ReplayRejectsABadSubscriptionsFileClearly(string json, string expected)
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("alerts-replay-").FullName, "subs.json");
        await File.WriteAllTextAsync(file, json);

        var (code, stdout, stderr) = await CliRunner.Run(["replay", "--subscriptions", file, .. Snapshots]);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "replay" }, "missing --subscriptions FILE")]
    [InlineData(new[] { "replay", "--subscriptions", "x.json" }, "missing snapshots")]
    [InlineData(new[] { "replay", "--subscriptions", "does-not-exist.json", "a.txt" }, "subscriptions file not found")]
    public async Task ReplayExplainsMissingArguments(string[] args, string expected)
    {
        var (code, _, stderr) = await CliRunner.Run(args);

        Assert.Equal(2, code);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }

    private static List<JsonElement> JsonLines(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();

    private static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString() ?? "").ToArray();
}
