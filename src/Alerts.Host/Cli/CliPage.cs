using System.Net.Http.Headers;
using Alerts.Core.Tickers;

namespace Alerts.Host.Cli;

/// <summary>One page read by a CLI verb: from a file or fetched once from a URL, then parsed.</summary>
internal sealed record CliPage(string SourceId, string Kind, IReadOnlyList<TickerItem> Items)
{
    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Reads and parses <paramref name="target"/>. The source id is <paramref name="sourceId"/> when given, else
    /// <c>ntv-&lt;articleId&gt;</c> for an ntv page whose article id is known (from the URL, the file name or the saved
    /// page's canonical link), else the file name without extension (for a URL: its last path segment, or its host).
    /// </summary>
    public static async Task<CliPage> LoadAsync(string target, string? kind, string? sourceId = null)
    {
        var (content, pageUrl, fileName) = await ReadInputAsync(target);
        ITickerParser parser;
        try
        {
            parser = kind is null ? TickerParsers.Detect(content) : TickerParsers.Get(kind);
        }
        catch (Exception e) when (e is ArgumentException or TickerParseException)
        {
            throw new CliUsageException($"{target}: {e.Message}");
        }

        sourceId ??= DeriveSourceId(parser.Kind, pageUrl, fileName, content);
        try
        {
            return new CliPage(sourceId, parser.Kind, parser.Parse(content, new ParseContext(sourceId, pageUrl, BerlinTime)));
        }
        catch (TickerParseException e)
        {
            throw new CliUsageException($"{target}: cannot parse as {parser.Kind}: {e.Message}");
        }
    }

    public static TimeZoneInfo BerlinTime { get; } = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private static async Task<(string Content, Uri? Url, string? FileName)> ReadInputAsync(string target)
    {
        if (Uri.TryCreate(target, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            return (await FetchAsync(uri), uri, null);
        }

        if (!File.Exists(target))
        {
            throw new CliUsageException(Directory.Exists(target) ? $"'{target}' is a directory, not a file" : $"file not found: {target}");
        }

        try
        {
            return (await File.ReadAllTextAsync(target), null, target);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliUsageException($"cannot read {target}: {e.Message}");
        }
    }

    private static async Task<string> FetchAsync(Uri uri)
    {
        using var http = new HttpClient { Timeout = FetchTimeout };
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Alerts", "1.0"));
        try
        {
            using var response = await http.GetAsync(uri);
            if (!response.IsSuccessStatusCode)
            {
                throw new CliUsageException($"GET {uri} answered {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            return await response.Content.ReadAsStringAsync();
        }
        catch (HttpRequestException e)
        {
            throw new CliUsageException($"GET {uri} failed: {e.Message}");
        }
        catch (TaskCanceledException)
        {
            throw new CliUsageException($"GET {uri} timed out after {FetchTimeout.TotalSeconds:0} s");
        }
    }

    private static string DeriveSourceId(string kind, Uri? url, string? fileName, string content)
    {
        if (kind == SourceKinds.NtvLiveticker)
        {
            var articleId = NtvLivetickerParser.ExtractArticleId(url?.AbsolutePath)
                ?? NtvLivetickerParser.ExtractArticleId(fileName is null ? null : Path.GetFileName(fileName))
                ?? (content.AsSpan().TrimStart().StartsWith("<") ? NtvLivetickerParser.ExtractArticleId(NtvLivetickerParser.FindCanonicalUrl(content)) : null);
            if (articleId is not null)
            {
                return "ntv-" + articleId;
            }
        }

        if (fileName is not null)
        {
            return Path.GetFileNameWithoutExtension(fileName);
        }

        var segment = url?.Segments.LastOrDefault()?.Trim('/');
        return string.IsNullOrEmpty(segment) ? url?.Host ?? "check" : Path.GetFileNameWithoutExtension(segment);
    }
}
