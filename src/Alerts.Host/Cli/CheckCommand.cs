using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Alerts.Core.Tickers;

namespace Alerts.Host.Cli;

/// <summary>
/// <c>check &lt;file|url&gt; [--source-kind K] [--query Q] [--json]</c> (SPEC §8): parse one page once and print its
/// items. The source id printed is <c>ntv-&lt;articleId&gt;</c> for an ntv page whose article id is known (from the
/// URL, the file name or the saved page's canonical link), otherwise the file name without extension (for a URL: its
/// last path segment, or its host).
/// </summary>
internal static class CheckCommand
{
    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(30);

    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var options = CheckOptions.Parse(args);
        var filter = options.Query is null ? null : CreateQueryFilter(options.Query);

        var (content, pageUrl, fileName) = await ReadInputAsync(options.Target);
        ITickerParser parser;
        try
        {
            parser = options.Kind is null ? TickerParsers.Detect(content) : TickerParsers.Get(options.Kind);
        }
        catch (Exception e) when (e is ArgumentException or TickerParseException)
        {
            throw new CliUsageException(e.Message);
        }

        var sourceId = SourceId(parser.Kind, pageUrl, fileName, content);
        IReadOnlyList<TickerItem> items;
        try
        {
            items = parser.Parse(content, new ParseContext(sourceId, pageUrl, BerlinTime()));
        }
        catch (TickerParseException e)
        {
            throw new CliUsageException($"{options.Target}: cannot parse as {parser.Kind}: {e.Message}");
        }

        var printed = 0;
        foreach (var item in items)
        {
            IReadOnlyList<string>? matched = null;
            if (filter is not null)
            {
                matched = filter(item);
                if (matched is null)
                {
                    continue;
                }
            }

            if (options.Json)
            {
                await stdout.WriteLineAsync(ToJsonLine(item, matched));
            }
            else
            {
                await WriteReadableAsync(stdout, item, matched);
            }

            printed++;
        }

        if (!options.Json)
        {
            await stdout.WriteLineAsync($"{printed} item(s) from source '{sourceId}' ({parser.Kind})");
        }

        await stdout.FlushAsync();
        _ = stderr;
        return 0;
    }

    /// <summary>
    /// Hook for <c>--query</c>: returns, for a matching item, the words that matched, and null otherwise. The query
    /// language belongs to the subscriptions issue; until its matcher lands, <c>--query</c> is refused clearly.
    /// </summary>
    private static Func<TickerItem, IReadOnlyList<string>?> CreateQueryFilter(string query)
    {
        _ = query;
        throw new CliUsageException("--query is not implemented yet (it comes with subscription matching); run check without --query");
    }

    internal static string ToJsonLine(TickerItem item, IReadOnlyList<string>? matched)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, JsonOptions))
        {
            json.WriteStartObject();
            json.WriteString("source", item.SourceId);
            json.WriteString("key", item.Key);
            json.WriteString("published", item.Published.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            json.WriteString("headline", item.Headline);
            json.WriteString("body", item.Body);
            if (item.Url is null)
            {
                json.WriteNull("url");
            }
            else
            {
                json.WriteString("url", item.Url);
            }

            if (matched is not null)
            {
                json.WriteStartArray("matched");
                foreach (var word in matched)
                {
                    json.WriteStringValue(word);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static async Task WriteReadableAsync(TextWriter stdout, TickerItem item, IReadOnlyList<string>? matched)
    {
        var local = TimeZoneInfo.ConvertTime(item.Published, BerlinTime());
        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{item.Published.UtcDateTime:yyyy-MM-dd HH:mm}Z ({local:dd.MM. HH:mm} local)  {item.Headline}"));
        await stdout.WriteLineAsync($"    key: {item.Key}");
        if (item.Url is not null)
        {
            await stdout.WriteLineAsync($"    url: {item.Url}");
        }

        if (matched is not null)
        {
            await stdout.WriteLineAsync($"    matched: {string.Join(", ", matched)}");
        }

        foreach (var paragraph in item.Body.Split("\n\n"))
        {
            await stdout.WriteLineAsync("    " + Shorten(paragraph.Replace('\n', ' '), 300));
        }

        await stdout.WriteLineAsync();
    }

    private static string Shorten(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        var cut = text.LastIndexOf(' ', max);
        return text[..(cut > max / 2 ? cut : max)] + " …";
    }

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

    private static string SourceId(string kind, Uri? url, string? fileName, string content)
    {
        if (kind == SourceKinds.NtvLiveticker)
        {
            var articleId = NtvLivetickerParser.ExtractArticleId(url?.AbsolutePath)
                ?? NtvLivetickerParser.ExtractArticleId(fileName is null ? null : Path.GetFileName(fileName))
                ?? (TextLinesLookLikeHtml(content) ? NtvLivetickerParser.ExtractArticleId(NtvLivetickerParser.FindCanonicalUrl(content)) : null);
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

    private static bool TextLinesLookLikeHtml(string content) => content.AsSpan().TrimStart().StartsWith("<");

    private static TimeZoneInfo BerlinTime() => TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private sealed record CheckOptions(string Target, string? Kind, string? Query, bool Json)
    {
        public static CheckOptions Parse(string[] args)
        {
            string? target = null, kind = null, query = null;
            var json = false;
            for (var i = 0; i < args.Length; i++)
            {
                var arg = args[i];
                switch (arg)
                {
                    case "--json":
                        json = true;
                        break;
                    case "--source-kind":
                        kind = Value(args, ref i, arg);
                        break;
                    case "--query":
                        query = Value(args, ref i, arg);
                        break;
                    case "-h" or "--help":
                        throw new CliUsageException(Usage);
                    default:
                        if (arg.StartsWith("--", StringComparison.Ordinal))
                        {
                            throw new CliUsageException($"unknown option '{arg}'. {Usage}");
                        }

                        if (target is not null)
                        {
                            throw new CliUsageException($"check reads one file or URL, got '{target}' and '{arg}'. {Usage}");
                        }

                        target = arg;
                        break;
                }
            }

            return new CheckOptions(target ?? throw new CliUsageException($"missing file or URL. {Usage}"), kind, query, json);
        }

        private const string Usage = "usage: check <file|url> [--source-kind ntv-liveticker|liveblog-jsonld|feed] [--query Q] [--json]";

        private static string Value(string[] args, ref int i, string option)
        {
            if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                throw new CliUsageException($"{option} needs a value. {Usage}");
            }

            return args[++i];
        }
    }
}
