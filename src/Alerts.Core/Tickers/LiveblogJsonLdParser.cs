using System.Text.Json;
using AngleSharp.Html.Parser;

namespace Alerts.Core.Tickers;

/// <summary>
/// schema.org <c>LiveBlogPosting</c> (SPEC §1): from the <c>application/ld+json</c> scripts of an HTML page or a bare
/// JSON document, found at the top level, in arrays, in <c>@graph</c> or nested anywhere else.
/// </summary>
public sealed class LiveblogJsonLdParser : ITickerParser
{
    private static readonly JsonDocumentOptions JsonOptions = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 256 };

    public string Kind => SourceKinds.LiveblogJsonLd;

    public bool CanParse(string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        // A page that merely declares a LiveBlogPosting without updates (ntv does such things) is left to the other parsers.
        return content.Contains("LiveBlogPosting", StringComparison.Ordinal)
            && content.Contains("liveBlogUpdate", StringComparison.Ordinal)
            && (content.Contains("application/ld+json", StringComparison.OrdinalIgnoreCase) || IsBareJson(content));
    }

    public IReadOnlyList<TickerItem> Parse(string content, ParseContext context)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(context);
        if (string.IsNullOrWhiteSpace(content))
        {
            throw new TickerParseException("the page is empty");
        }

        var scripts = IsBareJson(content) ? [content] : ScriptBlocks(content);
        if (scripts.Count == 0)
        {
            throw new TickerParseException("no <script type=\"application/ld+json\"> block found");
        }

        var entries = new List<ParsedEntry>();
        var found = false;
        string? firstError = null;
        foreach (var script in scripts)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(script, JsonOptions);
            }
            catch (JsonException e)
            {
                // One broken block (an ad tracker's, say) must not hide the live blog in another.
                firstError ??= $"invalid JSON-LD: {e.Message}";
                continue;
            }

            using (document)
            {
                foreach (var blog in FindLiveBlogs(document.RootElement))
                {
                    found = true;
                    ReadUpdates(blog, context, entries);
                }
            }
        }

        if (!found)
        {
            throw new TickerParseException(firstError is null ? "no schema.org LiveBlogPosting found in the JSON-LD" : $"no schema.org LiveBlogPosting found ({firstError})");
        }

        // Newest first, as the other kinds give them; a stable sort keeps the page's order within a minute.
        var ordered = entries.OrderByDescending(e => e.Published).ToList();
        return ParsedEntries.ToItems(ordered, context);
    }

    private static bool IsBareJson(string content)
    {
        var s = content.AsSpan().TrimStart();
        if (s.Length > 0 && s[0] == '\uFEFF')
        {
            s = s[1..].TrimStart();
        }

        return s.Length > 0 && (s[0] == '{' || s[0] == '[');
    }

    private static List<string> ScriptBlocks(string html)
    {
        var document = new HtmlParser().ParseDocument(html);
        return document.QuerySelectorAll("script")
            .Where(s => string.Equals(s.GetAttribute("type")?.Trim(), "application/ld+json", StringComparison.OrdinalIgnoreCase))
            .Select(s => s.TextContent)
            .ToList();
    }

    private static IEnumerable<JsonElement> FindLiveBlogs(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    foreach (var blog in FindLiveBlogs(item))
                    {
                        yield return blog;
                    }
                }

                break;
            case JsonValueKind.Object:
                if (HasType(element, "LiveBlogPosting"))
                {
                    yield return element;
                    yield break;
                }

                foreach (var property in element.EnumerateObject())
                {
                    foreach (var blog in FindLiveBlogs(property.Value))
                    {
                        yield return blog;
                    }
                }

                break;
        }
    }

    private static bool HasType(JsonElement element, string type)
    {
        if (!element.TryGetProperty("@type", out var value))
        {
            return false;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => IsType(value.GetString(), type),
            JsonValueKind.Array => value.EnumerateArray().Any(v => v.ValueKind == JsonValueKind.String && IsType(v.GetString(), type)),
            _ => false,
        };
    }

    // "LiveBlogPosting", "schema:LiveBlogPosting" and "https://schema.org/LiveBlogPosting" all mean the type.
    private static bool IsType(string? value, string type) =>
        value is not null && (value == type || value.EndsWith("/" + type, StringComparison.Ordinal) || value.EndsWith(":" + type, StringComparison.Ordinal));

    private static void ReadUpdates(JsonElement blog, ParseContext context, List<ParsedEntry> entries)
    {
        if (!blog.TryGetProperty("liveBlogUpdate", out var updates))
        {
            return;
        }

        var list = updates.ValueKind == JsonValueKind.Array ? updates.EnumerateArray().ToList() : [updates];
        var blogDate = String(blog, "dateModified") ?? String(blog, "datePublished");
        foreach (var update in list)
        {
            if (update.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            var body = TextLines.HtmlFragmentToText(String(update, "articleBody") ?? String(update, "text") ?? String(update, "description"));
            var headline = TextLines.HtmlFragmentToText(String(update, "headline") ?? String(update, "name")).Replace("\n\n", " ", StringComparison.Ordinal);
            if (headline.Length == 0)
            {
                headline = ParsedEntries.HeadlineFromBody(body);
            }

            var dateText = String(update, "datePublished") ?? String(update, "dateCreated") ?? String(update, "dateModified");
            if (!LocalTimes.TryParseTimestamp(dateText, context.TimeZone, out var published)
                && !LocalTimes.TryParseTimestamp(blogDate, context.TimeZone, out published))
            {
                throw new TickerParseException(dateText is null
                    ? $"LiveBlogPosting update '{headline}' has no datePublished"
                    : $"LiveBlogPosting update '{headline}' has an unreadable datePublished '{dateText}'");
            }

            var id = String(update, "@id");
            var url = ParsedEntries.AbsoluteLink(String(update, "url"), context.Url) ?? ParsedEntries.AbsoluteLink(id, context.Url);
            entries.Add(new ParsedEntry(string.IsNullOrWhiteSpace(id) ? null : id.Trim(), url, published, headline, body));
        }
    }

    private static string? String(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.Array when value.GetArrayLength() > 0 && value[0].ValueKind == JsonValueKind.String => value[0].GetString(),
            JsonValueKind.Object when value.TryGetProperty("@id", out var id) && id.ValueKind == JsonValueKind.String => id.GetString(),
            _ => null,
        };
    }
}
