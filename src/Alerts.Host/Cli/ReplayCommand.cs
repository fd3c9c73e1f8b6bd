namespace Alerts.Host.Cli;

/// <summary><c>replay --subscriptions FILE SNAPSHOT... [--json]</c> (SPEC §8).</summary>
internal static class ReplayCommand
{
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        _ = args;
        _ = stdout;
        throw new CliUsageException("replay is not implemented yet");
    }
}
