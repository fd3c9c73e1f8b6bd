using System.Collections.Concurrent;
using System.Diagnostics;

namespace Alerts.Host.Tests.Processes;

/// <summary>
/// The service as a real child process (<c>dotnet Alerts.Host.dll</c> from this test's build output), configured
/// through environment variables, with its output kept for assertions. <see cref="Kill"/> is SIGKILL.
/// </summary>
internal sealed class HostProcess : IAsyncDisposable
{
    private readonly Process process;

    private HostProcess(Process process) => this.process = process;

    public ConcurrentQueue<string> Output { get; } = new();

    public int Id => process.Id;

    public bool HasExited => process.HasExited;

    public static HostProcess Start(string workingDirectory, IReadOnlyDictionary<string, string> settings, params string[] arguments)
    {
        Directory.CreateDirectory(workingDirectory);
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Alerts.Host.dll"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("Alerts__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(key);
        }

        info.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in settings)
        {
            info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var host = new HostProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                host.Output.Enqueue(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                host.Output.Enqueue("stderr: " + e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>SIGKILL: no shutdown code runs, exactly like a crash or an OOM kill.</summary>
    public void Kill()
    {
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
    }

    /// <summary>SIGTERM: a graceful stop that releases leases.</summary>
    public async Task StopAsync()
    {
        if (process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(cts.Token);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
        return process.ExitCode;
    }

    public string Log => string.Join('\n', Output);

    /// <summary>What the process wrote to standard error, in order.</summary>
    public IReadOnlyList<string> Errors => [.. Output.Where(l => l.StartsWith("stderr: ", StringComparison.Ordinal)).Select(l => l["stderr: ".Length..])];

    /// <summary>What the process wrote to standard output, in order.</summary>
    public IReadOnlyList<string> Lines => [.. Output.Where(l => !l.StartsWith("stderr: ", StringComparison.Ordinal))];

    /// <summary>Runs the process to its end: its exit code once both output streams are read to the end.</summary>
    public static async Task<HostProcess> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string> settings, TimeSpan timeout, params string[] arguments)
    {
        var host = Start(workingDirectory, settings, arguments);
        using var cts = new CancellationTokenSource(timeout);
        await host.process.WaitForExitAsync(cts.Token);
        return host;
    }

    public int ExitCode => process.ExitCode;

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }
}
