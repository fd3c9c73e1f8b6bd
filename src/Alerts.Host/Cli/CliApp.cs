using System.Reflection;

namespace Alerts.Host.Cli;

/// <summary>
/// The command line of SPEC §8. No verb, <c>run</c>, or configuration switches (<c>--urls …</c>, <c>Key=Value</c>)
/// start the service; everything else is a verb, <c>--help</c>, <c>--version</c>, or an error, and none of those
/// starts the service.
/// </summary>
internal static class CliApp
{
    private static readonly string[] Verbs = ["run", "check", "replay", "healthcheck"];

    /// <summary>False when <paramref name="args"/> start the service; otherwise the verb (or flag) to run.</summary>
    public static bool TryGetVerb(string[] args, out string verb)
    {
        verb = args.Length > 0 ? args[0] : "";
        return !StartsTheService(args);
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
                "-h" or "--help" or "help" => await PrintAsync(stdout, Usage),
                "--version" => await PrintAsync(stdout, $"Alerts.Host {Version}"),
                "check" => await CheckCommand.RunAsync(args, stdout, stderr),
                "replay" => await ReplayCommand.RunAsync(args, stdout, stderr),
                "healthcheck" => await HealthcheckCommand.RunAsync(args, stdout, stderr),
                _ => throw new CliUsageException($"unknown verb '{verb}'{Suggestion(verb)}. The verbs are {string.Join(", ", Verbs)}; see --help"),
            };
        }
        catch (CliHelpException help)
        {
            return await PrintAsync(stdout, help.Message);
        }
        catch (CliUsageException e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return 2;
        }
    }

    public static string Version =>
        typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(CliApp).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    internal static string Usage => $"""
        Alerts: keyword alerts from news live tickers, sent to Telegram and Discord.

        usage: Alerts.Host [run] [--Key=Value ...]   the service (configuration: config/*.json, environment, switches)
               Alerts.Host <verb> [options]           (with dotnet run: dotnet run --project src/Alerts.Host -- <verb>)

        verbs:
          run           the service (the default)
          check         parse one page once and print its items
                        {CheckCommand.Usage}
          replay        feed saved snapshots of one source through diff and matching; print the alerts
                        {ReplayCommand.Usage}
          healthcheck   ask a running service's /healthz; exit 0 when healthy or degraded, 1 otherwise
                        {HealthcheckCommand.Usage}

          --help, -h    this text; '<verb> --help' for one verb
          --version     the version
        """;

    private static bool StartsTheService(string[] args) =>
        args.Length == 0
        || args[0] == "run"

        // Configuration switches, as the service's command-line configuration reads them.
        || args[0].Contains('=', StringComparison.Ordinal)
        || (args[0].StartsWith('-') && args[0] is not ("-h" or "--help" or "--version"));

    /// <summary>" (did you mean check?)" for a verb one or two typos away from a real one.</summary>
    internal static string Suggestion(string verb)
    {
        var best = Verbs.Select(v => (Verb: v, Distance: Distance(verb.ToLowerInvariant(), v))).MinBy(c => c.Distance);
        return best.Distance <= Math.Max(1, Math.Min(2, verb.Length / 3)) ? $" (did you mean {best.Verb}?)" : "";
    }

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    private static async Task<int> PrintAsync(TextWriter stdout, string text)
    {
        await stdout.WriteLineAsync(text);
        await stdout.FlushAsync();
        return 0;
    }
}

/// <summary>Bad command-line input; reported on stderr without a stack trace.</summary>
internal sealed class CliUsageException(string message) : Exception(message);

/// <summary><c>&lt;verb&gt; --help</c>: the verb's usage, printed to stdout with exit code 0.</summary>
internal sealed class CliHelpException(string usage) : Exception(usage);
