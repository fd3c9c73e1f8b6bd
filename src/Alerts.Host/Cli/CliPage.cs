using System.Net.Http.Headers;
using Alerts.Core.Tickers;

namespace Alerts.Host.Cli;

/// <summary>
/// One page read by a CLI verb, from a file or fetched once from a URL, with its fetch time (SPEC §8): <c>--now</c>
/// when given; else the clock for a URL, and for a file its modification time (which the parser trusts only up to a
/// day after the page's own creation date, since files get copied).
/// </summary>
internal sealed record CliPage(string Target, string Content, Uri? Url, string? FileName, FetchTime Fetched)
{
    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(30);

    public static TimeZoneInfo BerlinTime { get; } = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    public static async Task<CliPage> ReadAsync(string target, DateTimeOffset? now)
    {
        if (Uri.TryCreate(target, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            var body = await FetchAsync(uri);
            return new CliPage(target, body, uri, null, FetchTime.Now(now ?? TimeProvider.System.GetUtcNow()));
        }

        if (!File.Exists(target))
        {
            throw new CliUsageException(Directory.Exists(target) ? $"'{target}' is a directory, not a file" : $"file not found: {target}");
        }

        try
        {
            var content = await File.ReadAllTextAsync(target);
            var fetched = now is { } given ? FetchTime.Now(given) : FetchTime.FileModified(new DateTimeOffset(File.GetLastWriteTimeUtc(target), TimeSpan.Zero));
            return new CliPage(target, content, null, target, fetched);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliUsageException($"cannot read {target}: {e.Message}");
        }
    }

    /// <summary>The parser of <paramref name="kind"/>, or the detected one.</summary>
    public ITickerParser ChooseParser(string? kind)
    {
        try
        {
            return TickerParsers.Choose(TickerParsers.All, kind, Content);
        }
        catch (TickerParseException e)
        {
            throw new CliUsageException($"{Target}: {e.Message}");
        }
    }

    /// <summary>
    /// <c>ntv-&lt;articleId&gt;</c> for an ntv page whose article id is known (from the URL, the file name or the saved
    /// page's canonical link, in either address form), else the file name without extension (for a URL: its last path
    /// segment, or its host).
    /// </summary>
    public string DeriveSourceId(string kind)
    {
        if (kind == SourceKinds.NtvLiveticker)
        {
            var articleId = NtvLivetickerParser.ExtractArticleId(Url?.AbsolutePath)
                ?? NtvLivetickerParser.ExtractArticleId(FileName is null ? null : Path.GetFileName(FileName))
                ?? (TextLooksLikeHtml ? NtvLivetickerParser.ExtractArticleId(NtvLivetickerParser.FindCanonicalUrl(Content)) : null);
            if (articleId is not null)
            {
                return "ntv-" + articleId;
            }
        }

        if (FileName is not null)
        {
            return Path.GetFileNameWithoutExtension(FileName);
        }

        var segment = Url?.Segments.LastOrDefault()?.Trim('/');
        return string.IsNullOrEmpty(segment) ? Url?.Host ?? "check" : Path.GetFileNameWithoutExtension(segment);
    }

    private bool TextLooksLikeHtml => Content.AsSpan().TrimStart().StartsWith("<");

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
}
