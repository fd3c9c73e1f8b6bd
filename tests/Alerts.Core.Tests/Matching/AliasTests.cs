using Alerts.Core.Matching;
using Microsoft.Extensions.Time.Testing;
using static Alerts.Core.Tests.Matching.MatchingTestData;

namespace Alerts.Core.Tests.Matching;

public sealed class AliasTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("alerts-aliases-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static string RepoFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException(relative);
    }

    [Fact]
    public void LoadsTheCommittedAliasFile()
    {
        var table = AliasTable.Load(RepoFile("config/aliases.json"));
        Assert.Contains(table.Groups, g => g.Contains("Selenskyj") && g.Contains("Зеленський"));
        Assert.NotNull(new SingleQueryMatcher("Kharkiv", table).Match(Item("Angriff auf Charkiw")));
        Assert.NotNull(new SingleQueryMatcher("Путин", table).Match(Item("Putins Rede")));
    }

    [Theory]
    [InlineData("[]", "alias file needs an object with an \"aliases\" array of arrays of strings")]
    [InlineData("{\"aliases\": [[\"a\", 1]]}", "aliases[0] must be an array of strings")]
    [InlineData("{\"aliases\": [\"a\"]}", "aliases[0] must be an array of strings")]
    public void RejectsMalformedAliasFiles(string json, string message) =>
        Assert.Equal(message, Assert.Throws<FormatException>(() => AliasTable.Parse(json)).Message);

    [Fact]
    public void RejectsInvalidJson() =>
        Assert.StartsWith("alias file is not valid JSON", Assert.Throws<FormatException>(() => AliasTable.Parse("{")).Message, StringComparison.Ordinal);

    [Fact]
    public void AnAliasGroupDoesNotSwallowUnrelatedWords()
    {
        var table = new AliasTable([["Kiew", "Kyiv"]]);
        Assert.Null(new SingleQueryMatcher("Kiew", table).Match(Item("Kiel")));
        Assert.Null(new SingleQueryMatcher("Kiel", table).Match(Item("Kyiv")));
    }

    [Fact]
    public void ReloadKeepsTheLastGoodTableAndReportsChanges()
    {
        var path = Path.Combine(dir, "aliases.json");
        File.WriteAllText(path, """{"aliases": [["Kiew", "Kyiv"]]}""");
        using var watcher = new AliasFileWatcher(path, new FakeTimeProvider());
        var seen = new List<AliasTable>();
        watcher.Changed += seen.Add;
        Assert.Single(watcher.Current.Groups);

        File.WriteAllText(path, "{ broken");
        Assert.False(watcher.Reload());
        Assert.Single(watcher.Current.Groups);

        File.WriteAllText(path, """{"aliases": [["Kiew", "Kyiv"], ["Odessa", "Odesa"]]}""");
        Assert.True(watcher.Reload());
        Assert.False(watcher.Reload());
        Assert.Equal(2, watcher.Current.Groups.Count);
        Assert.Same(watcher.Current, Assert.Single(seen));
    }

    [Fact]
    public async Task WatcherSwapsTheIndexAliasesWhenTheFileChanges()
    {
        var path = Path.Combine(dir, "aliases.json");
        File.WriteAllText(path, """{"aliases": []}""");
        using var watcher = new AliasFileWatcher(path, debounce: TimeSpan.FromMilliseconds(20)).Watch();
        using var index = new MatcherIndex(watcher.Current);
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.Changed += table =>
        {
            index.ReplaceAliases(table);
            changed.TrySetResult();
        };
        index.Add(Sub(1, "a", "Odessa"));
        Assert.Empty(index.Match(Item("Hafen von Odesa")));

        File.WriteAllText(path, """{"aliases": [["Odessa", "Odesa"]]}""");
        await changed.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Single(index.Match(Item("Hafen von Odesa")));
    }
}
