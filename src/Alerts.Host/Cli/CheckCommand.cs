using System.Globalization;
using Alerts.Core.Alerts;
using Alerts.Core.Tickers;

namespace Alerts.Host.Cli;

/// <summary>
/// <c>check &lt;file|url&gt; [--source-kind K] [--query Q] [--now ISO-8601] [--json]</c> (SPEC §8): parse one page
/// once and print its items. <c>--now</c> is the fetch time (see <see cref="CliPage"/>). The source id printed is <c>ntv-&lt;articleId&gt;</c> for an ntv page whose article id is known (from the
/// URL, the file name or the saved page's canonical link), otherwise the file name without extension (for a URL: its
/// last path segment, or its host).
/// </summary>
internal static class CheckCommand
{
    internal const string Usage = CheckOptions.Usage;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var options = CheckOptions.Parse(args);
        var matcher = options.Query is null ? null : CliMatcher.Create([("check", options.Query, null)]);
        var input = await CliPage.ReadAsync(options.Target, options.Now);
        var parser = input.ChooseParser(options.Kind);
        var sourceId = input.DeriveSourceId(parser.Kind);
        IReadOnlyList<TickerItem> items;
        try
        {
            items = parser.Parse(input.Content, new ParseContext(sourceId, input.Url, CliPage.BerlinTime, input.Fetched));
        }
        catch (TickerParseException e)
        {
            throw new CliUsageException($"{options.Target}: cannot parse as {parser.Kind}: {e.Message}");
        }

        var printed = 0;
        foreach (var item in items)
        {
            IReadOnlyList<string>? matched = null;
            if (matcher is not null)
            {
                var match = matcher.Match(item);
                if (match.Count == 0)
                {
                    continue;
                }

                matched = match[0].Matched;
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

    internal static string ToJsonLine(TickerItem item, IReadOnlyList<string>? matched) =>
        CliJson.Line(json =>
        {
            json.WriteString("source", item.SourceId);
            json.WriteString("key", item.Key);
            json.WriteString("published", CliJson.Utc(item.Published));
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
                CliJson.WriteStrings(json, "matched", matched);
            }
        });

    private static async Task WriteReadableAsync(TextWriter stdout, TickerItem item, IReadOnlyList<string>? matched)
    {
        var local = TimeZoneInfo.ConvertTime(item.Published, CliPage.BerlinTime);
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
            await stdout.WriteLineAsync("    " + MatchHighlighter.Shorten(paragraph.Replace('\n', ' '), 300));
        }

        await stdout.WriteLineAsync();
    }

    private sealed record CheckOptions(string Target, string? Kind, string? Query, DateTimeOffset? Now, bool Json)
    {
        public static CheckOptions Parse(string[] args)
        {
            string? target = null, kind = null, query = null;
            DateTimeOffset? now = null;
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
                        kind = CliArgs.Value(args, ref i, Usage);
                        break;
                    case "--query":
                        query = CliArgs.Value(args, ref i, Usage);
                        break;
                    case "--now":
                        now = ParseNow(CliArgs.Value(args, ref i, Usage));
                        break;
                    case "-h" or "--help":
                        throw new CliHelpException(Usage);
                    default:
                        CliArgs.Positional(arg, Usage);
                        if (target is not null)
                        {
                            throw new CliUsageException($"check reads one file or URL, got '{target}' and '{arg}'. {Usage}");
                        }

                        target = arg;
                        break;
                }
            }

            return new CheckOptions(target ?? throw new CliUsageException($"missing file or URL. {Usage}"), kind, query, now, json);
        }

        /// <summary>An ISO 8601 instant with its offset: without one, which zone was meant would be a guess.</summary>
        private static DateTimeOffset ParseNow(string value)
        {
            var text = value.Trim();
            var hasOffset = text.Length > 10 && (text.EndsWith('Z') || text.EndsWith('z') || text.AsSpan(10).IndexOfAny('+', '-') >= 0);
            return hasOffset && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var now)
                ? now.ToUniversalTime()
                : throw new CliUsageException($"--now '{value}' is not an ISO 8601 time with an offset (for example 2025-12-01T00:05:00+01:00 or 2025-11-30T23:05:00Z). {Usage}");
        }

        internal const string Usage = "usage: check <file|url> [--source-kind ntv-liveticker|liveblog-jsonld|feed] [--query Q] [--now ISO-8601] [--json]";
    }
}
