using System.Text.Json;

namespace Alerts.Host;

/// <summary>
/// Where the operator's <c>config/</c> folder is. The working directory's <c>config/</c> comes first: under
/// <c>dotnet run</c> that is the repository's own folder (the project runs in the directory the command was typed
/// in), so edits there take effect and aliases reload, rather than the build's copy in <c>bin/</c>. Beside the binary
/// comes second: a publish folder or the container (<c>/app/config</c>, also its working directory). The JSON
/// configuration and the alias file always come from the same folder.
/// </summary>
internal static class ConfigFiles
{
    public const string AliasFileName = "aliases.json";

    public static string? FindDirectory() =>
        new[] { Path.Combine(Directory.GetCurrentDirectory(), "config"), Path.Combine(AppContext.BaseDirectory, "config") }
            .FirstOrDefault(Directory.Exists);

    /// <summary>The path of <c>config/aliases.json</c>, or null when there is none.</summary>
    public static string? FindAliases() =>
        FindDirectory() is { } dir && File.Exists(Path.Combine(dir, AliasFileName)) ? Path.Combine(dir, AliasFileName) : null;

    /// <summary>Where the alias file is, or would be (the watcher picks it up when it is created later).</summary>
    public static string AliasPath() =>
        Path.Combine(FindDirectory() ?? Path.Combine(Directory.GetCurrentDirectory(), "config"), AliasFileName);

    public static bool IsAliasFile(string path) => string.Equals(Path.GetFileName(path), AliasFileName, StringComparison.OrdinalIgnoreCase);

    /// <summary>A path as the operator knows it: relative to the working directory when it is below it.</summary>
    public static string Display(string path)
    {
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }

    /// <summary>"config/appsettings.json: not valid JSON at line 12, position 5: …" from the configuration loader's exception.</summary>
    public static string DescribeJsonError(string file, Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is JsonException { LineNumber: { } line, BytePositionInLine: { } position } json)
            {
                return $"{Display(file)}: not valid JSON at line {line + 1}, position {position + 1}: {FirstSentence(json.Message)}";
            }
        }

        return $"{Display(file)}: {(e.InnerException ?? e).Message}";
    }

    private static string FirstSentence(string message)
    {
        // System.Text.Json appends " Path: $ | LineNumber: 3 | BytePositionInLine: 4." which the line above already says.
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        }

        return cut < 0 ? message : message[..cut];
    }
}
