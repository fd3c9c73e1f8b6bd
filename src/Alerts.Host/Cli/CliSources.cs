using Alerts.Core.Tickers;
using Microsoft.Extensions.Configuration;

namespace Alerts.Host.Cli;

/// <summary>
/// The sources the service is configured with (<c>config/*.json</c> and the environment, as the service reads them), so
/// that <c>replay</c> calls a snapshot by the id its subscriptions use (<c>ntv-ukraine</c>), not by its file name.
/// </summary>
internal static class CliSources
{
    public static IReadOnlyList<SourceDefinition> Configured(TextWriter stderr)
    {
        try
        {
            var builder = new ConfigurationBuilder();
            if (ConfigFiles.FindDirectory() is { } dir)
            {
                foreach (var file in Directory.EnumerateFiles(dir, "*.json").Where(f => !ConfigFiles.IsAliasFile(f)).Order(StringComparer.Ordinal))
                {
                    builder.AddJsonFile(file, optional: true, reloadOnChange: false);
                }
            }

            return builder.AddEnvironmentVariables().Build().GetSection("Alerts:Sources").Get<List<SourceDefinition>>() ?? [];
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException or FormatException)
        {
            // The service refuses to start with this configuration; a replay can still run on derived ids.
            stderr.WriteLine($"warning: the configured sources cannot be read ({e.Message}); source ids come from the snapshots");
            return [];
        }
    }

    /// <summary>
    /// The configured source this page belongs to: the one polling the same ntv article or the same URL; else, when
    /// the page says nothing of where it came from (the id would be its file name), the single configured source of its
    /// kind. Null when none fits, or several do.
    /// </summary>
    public static string? Find(IReadOnlyList<SourceDefinition> configured, CliPage page, string kind)
    {
        var derived = page.DeriveSourceId(kind);
        if (kind == SourceKinds.NtvLiveticker && derived.StartsWith("ntv-", StringComparison.Ordinal))
        {
            var article = derived["ntv-".Length..];
            var same = configured.Where(s => Uri.TryCreate(s.Url, UriKind.Absolute, out var url) && NtvLivetickerParser.ExtractArticleId(url.AbsolutePath) == article).ToList();
            if (same.Count == 1)
            {
                return same[0].Id;
            }
        }

        if (page.Url is { } pageUrl && configured.FirstOrDefault(s => string.Equals(s.Url, pageUrl.ToString(), StringComparison.OrdinalIgnoreCase)) is { } byUrl)
        {
            return byUrl.Id;
        }

        var saysNothing = page.FileName is not null && derived == Path.GetFileNameWithoutExtension(page.FileName);
        var ofKind = configured.Where(s => string.IsNullOrEmpty(s.Kind) || s.Kind == kind).ToList();
        return saysNothing && ofKind.Count == 1 ? ofKind[0].Id : null;
    }
}
