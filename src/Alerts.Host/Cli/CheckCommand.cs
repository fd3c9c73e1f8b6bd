namespace Alerts.Host.Cli;

/// <summary><c>check &lt;file|url&gt; [--source-kind K] [--query Q] [--json]</c> (SPEC §8).</summary>
internal static class CheckCommand
{
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        _ = args;
        _ = stdout;
        throw new CliUsageException("check is not implemented yet");
    }
}
