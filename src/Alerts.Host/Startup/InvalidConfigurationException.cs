using Microsoft.Extensions.Options;

namespace Alerts.Host.Startup;

/// <summary>A start-up problem the operator fixes in the configuration: one line per problem, each naming its key or file.</summary>
internal sealed class InvalidConfigurationException(IReadOnlyList<string> problems)
    : Exception("Invalid configuration: " + string.Join(" ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;

    /// <summary>
    /// The problem lines inside <paramref name="e"/> when it is a configuration error of any kind the start-up can meet:
    /// ours, the options validators' (one or several, aggregated by the start-up validator), or a binder conversion
    /// error that slipped past <see cref="BindingCheck"/>. Null for anything else, which is a bug and keeps its stack trace.
    /// </summary>
    public static IReadOnlyList<string>? ProblemsOf(Exception e) => e switch
    {
        InvalidConfigurationException c => c.Problems,
        OptionsValidationException v => [.. v.Failures],
        AggregateException a when a.InnerExceptions.Select(ProblemsOf).ToList() is var inner && inner.All(p => p is not null) => [.. inner.SelectMany(p => p!)],
        InvalidOperationException { Message: var m } when m.StartsWith("Failed to convert configuration value", StringComparison.Ordinal) => [m],
        // Kestrel's own check, should another process take the port between the start-up check and the bind.
        IOException { Message: var m } when m.StartsWith("Failed to bind to address", StringComparison.Ordinal) => [$"Urls: {m}"],
        _ => null,
    };

    /// <summary>Prints <c>Invalid configuration:</c> and the problems to stderr (SPEC §10) and gives exit code 1.</summary>
    public static int Report(IReadOnlyList<string> problems, TextWriter stderr)
    {
        stderr.WriteLine("Invalid configuration:");
        foreach (var problem in problems.Distinct(StringComparer.Ordinal))
        {
            stderr.WriteLine($"  {problem}");
        }

        stderr.Flush();
        return 1;
    }
}
