namespace Alerts.Host.Cli;

/// <summary>The small option grammar the verbs share: <c>--flag</c>, <c>--name value</c>, positional arguments.</summary>
internal static class CliArgs
{
    /// <summary>The value after option <c>args[i]</c>; advances <paramref name="i"/> past it.</summary>
    public static string Value(string[] args, ref int i, string usage)
    {
        var option = args[i];
        if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
        {
            throw new CliUsageException($"{option} needs a value. {usage}");
        }

        return args[++i];
    }

    /// <summary>Refuses an unknown <c>--option</c>; returns the argument when it is positional.</summary>
    public static string Positional(string arg, string usage) =>
        arg.StartsWith("--", StringComparison.Ordinal) ? throw new CliUsageException($"unknown option '{arg}'. {usage}") : arg;
}
