namespace Alerts.Host.Tests.Processes;

/// <summary>
/// Aliases follow the <c>config/aliases.json</c> the service reads its configuration from: the working directory's
/// <c>config/</c> (the repository's under <c>dotnet run</c>), not the build's copy beside the binary (issue 12, case 5).
/// </summary>
[Collection(ProcessTests.Name)]
public sealed class AliasReloadTests
{
    [Fact]
    public async Task AnEditedAliasFileInTheWorkingDirectorysConfigIsReloaded()
    {
        using var directory = new TempDirectory("alerts-aliases");
        directory.Write("config/appsettings.json", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "config", "appsettings.json")));
        var aliases = directory.Write("config/aliases.json", """{ "aliases": [ ["Selenskyj", "Zelensky"] ] }""");
        await using var host = HostProcess.Start(directory.Path, new Dictionary<string, string> { ["Alerts:Polling:Enabled"] = "false" });

        await CrashTests.Until(() => host.Log.Contains($"Loaded 1 alias groups from {aliases}", StringComparison.Ordinal), TimeSpan.FromSeconds(60), host);
        Assert.Contains(host.Output, l => l.Contains("Configuration: config/*.json", StringComparison.Ordinal));
        await File.WriteAllTextAsync(aliases, """{ "aliases": [ ["Selenskyj", "Zelensky"], ["Kyjiw", "Kiew", "Kyiv"] ] }""");

        await CrashTests.Until(() => host.Log.Contains($"Loaded 2 alias groups from {aliases}", StringComparison.Ordinal), TimeSpan.FromSeconds(30), host);
        Assert.DoesNotContain(host.Output, l => l.Contains(Path.Combine(AppContext.BaseDirectory, "config", "aliases.json"), StringComparison.Ordinal));
    }
}
