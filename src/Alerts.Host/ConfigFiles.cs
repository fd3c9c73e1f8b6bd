namespace Alerts.Host;

/// <summary>Where the operator's <c>config/</c> folder is: beside the binary (publish, container) or in the working directory (dotnet run).</summary>
internal static class ConfigFiles
{
    public static string? FindDirectory() =>
        new[] { Path.Combine(AppContext.BaseDirectory, "config"), Path.Combine(Directory.GetCurrentDirectory(), "config") }
            .FirstOrDefault(Directory.Exists);

    /// <summary>The path of <c>config/aliases.json</c>, or null when there is none.</summary>
    public static string? FindAliases() =>
        FindDirectory() is { } dir && File.Exists(Path.Combine(dir, "aliases.json")) ? Path.Combine(dir, "aliases.json") : null;
}
