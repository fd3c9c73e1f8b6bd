using System.Text.Json;
using Alerts.Host.Tests.Processes;

namespace Alerts.Host.Tests.Cli;

/// <summary>
/// The top-level command line (SPEC §8): help, version and mistyped verbs answer and exit without starting the
/// service; the verbs' own help goes to stdout; the replay's source id follows the configured sources.
/// </summary>
[Collection(ProcessTests.Name)]
public sealed class CliVerbTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task HelpListsTheVerbsAndExitsWithoutStartingTheService(string flag)
    {
        using var directory = new TempDirectory("alerts-help");

        await using var host = await HostProcess.RunAsync(directory.Path, new Dictionary<string, string>(), Timeout, flag);

        Assert.Equal(0, host.ExitCode);
        Assert.Empty(host.Errors);
        var text = string.Join('\n', host.Lines);
        foreach (var verb in new[] { "run", "check", "replay", "healthcheck" })
        {
            Assert.Contains($"  {verb} ", text, StringComparison.Ordinal);
        }

        AssertTheServiceDidNotStart(host, directory);
    }

    [Fact]
    public async Task VersionPrintsTheVersionAndExitsWithoutStartingTheService()
    {
        using var directory = new TempDirectory("alerts-version");

        await using var host = await HostProcess.RunAsync(directory.Path, new Dictionary<string, string>(), Timeout, "--version");

        Assert.Equal(0, host.ExitCode);
        Assert.Matches(@"^Alerts\.Host \d+\.\d+", Assert.Single(host.Lines));
        AssertTheServiceDidNotStart(host, directory);
    }

    [Fact]
    public async Task AMistypedVerbIsAnErrorWithASuggestionAndDoesNotStartTheService()
    {
        using var directory = new TempDirectory("alerts-typo");

        await using var host = await HostProcess.RunAsync(directory.Path, new Dictionary<string, string>(), Timeout, "chek", "file");

        Assert.Equal(2, host.ExitCode);
        Assert.Equal("error: unknown verb 'chek' (did you mean check?). The verbs are run, check, replay, healthcheck; see --help", Assert.Single(host.Errors));
        AssertTheServiceDidNotStart(host, directory);
    }

    [Fact]
    public async Task AWordFarFromEveryVerbGetsNoSuggestion()
    {
        var (code, _, stderr) = await CliRunner.Run("frobnicate");

        Assert.Equal(2, code);
        Assert.StartsWith("error: unknown verb 'frobnicate'. The verbs are", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("check", "usage: check <file|url>")]
    [InlineData("replay", "usage: replay --subscriptions FILE SNAPSHOT...")]
    [InlineData("healthcheck", "usage: healthcheck [--url URL]")]
    public async Task AVerbsHelpGoesToStdoutWithExitCodeZero(string verb, string usage)
    {
        var (code, stdout, stderr) = await CliRunner.Run(verb, "--help");

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.StartsWith(usage, stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownSourceKindIsAPlainError()
    {
        var (code, _, stderr) = await CliRunner.Run("check", Snapshot(1), "--source-kind", "foo");

        Assert.Equal(2, code);
        Assert.Contains("unknown source kind 'foo'; known kinds: ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADirectoryGivenAsSubscriptionsFileIsNamedAsADirectory()
    {
        var dir = Directory.CreateTempSubdirectory("alerts-subsdir-").FullName;

        var (code, _, stderr) = await CliRunner.Run("replay", "--subscriptions", dir, Snapshot(1));

        Assert.Equal(2, code);
        Assert.Equal($"error: --subscriptions '{dir}' is a directory; give the JSON file", stderr.Trim());
    }

    [Fact]
    public async Task ASavedPageOfAConfiguredNtvTickerIsReplayedUnderTheConfiguredId()
    {
        // The shipped config/appsettings.json polls article 23143824 as "ntv-ukraine"; a saved copy of that page used to
        // be replayed as "ntv-23143824", and a subscription limited to ntv-ukraine got nothing without a word.
        var dir = Directory.CreateTempSubdirectory("alerts-replay-id-").FullName;
        var snapshots = Enumerable.Range(1, 3).Select(n => Copy(Snapshot(n), Path.Combine(dir, $"page-{n}-article23143824.txt"))).ToList();
        var subscriptions = Path.Combine(dir, "subs.json");
        await File.WriteAllTextAsync(subscriptions, """[{ "subscriber": "a", "query": "Drohne", "source": "ntv-ukraine" }]""");

        var (code, stdout, stderr) = await CliRunner.Run(["replay", "--subscriptions", subscriptions, .. snapshots, "--json"]);

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.NotEmpty(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l)));
    }

    [Fact]
    public async Task ASnapshotWhoseNameSaysNothingTakesTheSingleConfiguredSourceOfItsKind()
    {
        var dir = Directory.CreateTempSubdirectory("alerts-replay-kind-").FullName;
        var snapshots = Enumerable.Range(1, 3).Select(n => Copy(Snapshot(n), Path.Combine(dir, $"saved-{n}.txt"))).ToList();
        var subscriptions = Path.Combine(dir, "subs.json");
        await File.WriteAllTextAsync(subscriptions, """[{ "subscriber": "a", "query": "Drohne", "source": "ntv-ukraine" }]""");

        var (code, stdout, _) = await CliRunner.Run(["replay", "--subscriptions", subscriptions, .. snapshots, "--source-kind", "ntv-liveticker"]);

        Assert.Equal(0, code);
        Assert.EndsWith("of source 'ntv-ukraine' (the first is the baseline)", stdout.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain("0 alert(s)", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASubscriptionForAnotherSourceGetsAWarning()
    {
        var (code, _, stderr) = await CliRunner.Run(["replay", "--subscriptions", CliRunner.Fixture("replay", "subscriptions.json"), Snapshot(1), Snapshot(2)]);

        Assert.Equal(0, code);
        Assert.Contains("[5] (discord-user:5005) is limited to source 'other-ticker', but the snapshots are source 'ntv-99887766': it cannot match", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("[3]", stderr, StringComparison.Ordinal);
    }

    private static string Snapshot(int n) => CliRunner.Fixture("replay", $"snapshot-{n}-article99887766.txt");

    private static string Copy(string from, string to)
    {
        File.Copy(from, to);
        File.SetLastWriteTimeUtc(to, File.GetLastWriteTimeUtc(from));
        return to;
    }

    private static void AssertTheServiceDidNotStart(HostProcess host, TempDirectory directory)
    {
        Assert.DoesNotContain(host.Output, l => l.Contains("Now listening", StringComparison.Ordinal) || l.Contains("schema", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(directory.Path, "data")), "no database was created");
    }
}
