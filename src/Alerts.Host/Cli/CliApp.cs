namespace Alerts.Host.Cli;

/// <summary>The command-line verbs of SPEC §8. No verb, or <c>run</c>, starts the service.</summary>
internal static class CliApp
{
    private static readonly string[] Verbs = ["check", "replay"];

    public static bool TryGetVerb(string[] args, out string verb)
    {
        verb = args.Length > 0 ? args[0] : "";
        return Verbs.Contains(verb, StringComparer.Ordinal);
    }

    /// <summary>The arguments for the service itself, without a leading <c>run</c>.</summary>
    public static string[] ServiceArguments(string[] args) =>
        args.Length > 0 && args[0] == "run" ? args[1..] : args;

    public static async Task<int> RunAsync(string verb, string[] args, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            return verb switch
            {
                "check" => await CheckCommand.RunAsync(args, stdout, stderr),
                "replay" => await ReplayCommand.RunAsync(args, stdout, stderr),
                _ => throw new CliUsageException($"unknown verb '{verb}'"),
            };
        }
        catch (CliUsageException e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return 2;
        }
    }
}

/// <summary>Bad command-line input; reported on stderr without a stack trace.</summary>
internal sealed class CliUsageException(string message) : Exception(message);
