namespace Alerts.Host;

internal static class HostingExtensions
{
    /// <summary>Reads <c>config/*.json</c> (beside the binary or in the working directory), then environment, then command line (SPEC §11).</summary>
    public static IHostApplicationBuilder AddAlertsConfiguration(this IHostApplicationBuilder builder)
    {
        var configDir = new[] { Path.Combine(AppContext.BaseDirectory, "config"), Path.Combine(Directory.GetCurrentDirectory(), "config") }
            .FirstOrDefault(Directory.Exists);
        if (configDir is not null)
        {
            foreach (var file in Directory.EnumerateFiles(configDir, "*.json").Where(f => !f.EndsWith("aliases.json", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal))
            {
                builder.Configuration.AddJsonFile(file, optional: true, reloadOnChange: false);
            }
        }

        // Environment and command line must win over config/ files.
        builder.Configuration.AddEnvironmentVariables();
        return builder;
    }

    public static IHostApplicationBuilder AddAlertsCore(this IHostApplicationBuilder builder) => builder;

    public static IHostApplicationBuilder AddAlertsStorage(this IHostApplicationBuilder builder) => builder;

    public static IHostApplicationBuilder AddAlertsPolling(this IHostApplicationBuilder builder) => builder;

    public static WebApplication MapOperations(this WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" }));
        return app;
    }
}
