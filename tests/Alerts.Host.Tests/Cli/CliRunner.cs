using Alerts.Host.Cli;

namespace Alerts.Host.Tests.Cli;

/// <summary>Runs a CLI verb in-process, as <c>dotnet run --project src/Alerts.Host -- …</c> would.</summary>
internal static class CliRunner
{
    public static async Task<(int Code, string Stdout, string Stderr)> Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args[0], args[1..], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    public static string Fixture(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);
}
