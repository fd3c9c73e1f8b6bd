using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Alerts.Discord.Tests.Support;

/// <summary>
/// The Node tools under tests/tools. Tests that need them are skipped when node or tests/node_modules is missing,
/// except in CI (<c>CI=true</c>), where a missing tool fails the test.
/// </summary>
public static class NodeTools
{
    private static readonly Lazy<string?> RepoRoot = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "tests", "package.json")))
            {
                return dir.FullName;
            }
        }

        return null;
    });

    public static string TestsDir => Path.Combine(RepoRoot.Value ?? throw new InvalidOperationException("repository root not found"), "tests");

    public static string? MissingReason
    {
        get
        {
            if (RepoRoot.Value is null)
            {
                return "repository root (tests/package.json) not found";
            }

            if (!Directory.Exists(Path.Combine(TestsDir, "node_modules", "discord-api-spec")) || !Directory.Exists(Path.Combine(TestsDir, "node_modules", "tweetnacl")))
            {
                return "tests/node_modules missing: run `cd tests && npm ci`";
            }

            return FindNode() is null ? "node not found on PATH" : null;
        }
    }

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Runs a script with JSON lines in and out.</summary>
    public static async Task<IReadOnlyList<JsonNode>> RunAsync(string script, IEnumerable<JsonNode> lines)
    {
        var node = FindNode() ?? throw new InvalidOperationException(MissingReason);
        var start = new ProcessStartInfo(node, Path.Combine(TestsDir, "tools", script))
        {
            WorkingDirectory = TestsDir,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var input = lines.Select(l => l.ToJsonString()).ToList();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        foreach (var line in input)
        {
            await process.StandardInput.WriteLineAsync(line);
        }

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        var output = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(process.ExitCode == 0, $"{script} failed: {await stderr}");
        Assert.Equal(input.Count, output.Length);
        return output.Select(o => JsonNode.Parse(o)!).ToList();
    }

    /// <summary>Validates every body against its discord-api-spec schema; fails with all errors at once.</summary>
    public static async Task AssertValidAsync(IEnumerable<(string Schema, string Body)> bodies)
    {
        var list = bodies.ToList();
        Assert.NotEmpty(list);
        var results = await RunAsync("discord-validate.mjs", list.Select(b => (JsonNode)new JsonObject { ["schema"] = b.Schema, ["body"] = JsonNode.Parse(b.Body) }));
        var failures = list.Zip(results)
            .Where(p => p.Second["ok"]?.GetValue<bool>() != true)
            .Select(p => $"{p.First.Schema}: {p.Second["errors"]?.ToJsonString()}\n  body: {p.First.Body}")
            .ToList();
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    public static Task AssertValidAsync(IEnumerable<RecordedRequest> requests) =>
        AssertValidAsync(requests.Where(r => r.Schema is not null).Select(r => (r.Schema!, r.Body)));

    private static string? FindNode()
    {
        var names = OperatingSystem.IsWindows() ? new[] { "node.exe" } : ["node"];
        return (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(dir => names.Select(n => Path.Combine(dir, n)))
            .FirstOrDefault(File.Exists);
    }
}

/// <summary>A fact that needs Node and tests/node_modules: skipped without them, unless CI=true.</summary>
public sealed class NodeFactAttribute : FactAttribute
{
    public NodeFactAttribute()
    {
        if (NodeTools.MissingReason is { } reason && !NodeTools.IsCi)
        {
            Skip = reason;
        }
    }
}
