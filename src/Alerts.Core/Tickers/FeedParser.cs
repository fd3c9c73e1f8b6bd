using System.ServiceModel.Syndication;
using System.Text.Json;
using System.Xml;

namespace Alerts.Core.Tickers;

/// <summary>
/// RSS 2.0 and Atom 1.0 through <see cref="SyndicationFeed"/>, JSON Feed 1.1 through System.Text.Json (SPEC §1;
/// docs/parsing.md says why this library).
/// </summary>
public sealed class FeedParser : ITickerParser
{
    private const string ContentModuleNamespace = "http://purl.org/rss/1.0/modules/content/";

    public string Kind => SourceKinds.Feed;

    public bool CanParse(string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var head = Head(content);
        if (head.Length == 0)
        {
            return false;
        }

        if (head[0] == '{')
        {
            return head.Contains("jsonfeed.org/version", StringComparison.OrdinalIgnoreCase);
        }

        return head[0] == '<'
            && (head.Contains("<rss", StringComparison.OrdinalIgnoreCase) || head.Contains("http://www.w3.org/2005/Atom", StringComparison.Ordinal))
            && !head.Contains("<html", StringComparison.OrdinalIgnoreCase);
    }

    public IReadOnlyList<TickerItem> Parse(string content, ParseContext context)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(context);
        var head = Head(content);
        if (head.Length == 0)
        {
            throw new TickerParseException("the feed is empty");
        }

        var entries = head[0] == '{' ? ParseJsonFeed(content, context) : ParseXmlFeed(content, context);
        return ParsedEntries.ToItems(entries, context);
    }

    private static ReadOnlySpan<char> Head(string content)
    {
        var s = content.AsSpan().TrimStart();
        if (s.Length > 0 && s[0] == '\uFEFF')
        {
            s = s[1..].TrimStart();
        }

        return s[..Math.Min(s.Length, 2048)];
    }

    private static List<ParsedEntry> ParseXmlFeed(string content, ParseContext context)
    {
        SyndicationFeed feed;
        try
        {
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null, IgnoreComments = true };
            using var reader = XmlReader.Create(new StringReader(content.TrimStart('\uFEFF', ' ', '\t', '\r', '\n')), settings);
            reader.MoveToContent();
            SyndicationFeedFormatter formatter = reader.LocalName switch
            {
                "rss" => new Rss20FeedFormatter(),
                "feed" => new Atom10FeedFormatter(),
                _ => throw new TickerParseException($"not a feed: the XML root element is <{reader.Name}>, expected <rss> or <feed>"),
            };

            // The built-in date reader throws on the sloppy dates real feeds carry; read them leniently instead.
            formatter.DateTimeParser = (XmlDateTimeData data, out DateTimeOffset value) => TryParseFeedDate(data.DateTimeString, context.TimeZone, out value);
            if (!formatter.CanRead(reader))
            {
                throw new TickerParseException($"not a feed this parser reads: <{reader.Name}> (only RSS 2.0 and Atom 1.0)");
            }

            formatter.ReadFrom(reader);
            feed = formatter.Feed;
        }
        catch (XmlException e)
        {
            throw new TickerParseException($"malformed feed XML: {e.Message}", e);
        }

        var entries = new List<ParsedEntry>();
        foreach (var item in feed.Items)
        {
            var body = TextLines.HtmlFragmentToText(ContentEncoded(item) ?? ContentText(item.Content) ?? item.Summary?.Text);
            var headline = Flatten(TextLines.HtmlFragmentToText(item.Title?.Text));
            if (headline.Length == 0)
            {
                headline = ParsedEntries.HeadlineFromBody(body);
            }

            var published = item.PublishDate != default ? item.PublishDate : item.LastUpdatedTime;
            if (published == default)
            {
                published = feed.LastUpdatedTime;
            }

            if (published == default)
            {
                throw new TickerParseException($"feed item '{headline}' has no date (pubDate, published or updated)");
            }

            var link = item.Links.FirstOrDefault(l => string.IsNullOrEmpty(l.RelationshipType) || l.RelationshipType == "alternate")?.GetAbsoluteUri()?.ToString();
            var id = string.IsNullOrWhiteSpace(item.Id) ? null : item.Id.Trim();
            entries.Add(new ParsedEntry(id, ParsedEntries.AbsoluteLink(link, context.Url), published.ToUniversalTime(), headline, body));
        }

        return entries;
    }

    private static string? ContentEncoded(SyndicationItem item)
    {
        try
        {
            return item.ElementExtensions.ReadElementExtensions<string>("encoded", ContentModuleNamespace).FirstOrDefault();
        }
        catch (Exception e) when (e is InvalidOperationException or XmlException or System.Runtime.Serialization.SerializationException)
        {
            return null;
        }
    }

    private static string? ContentText(SyndicationContent? content) => content switch
    {
        TextSyndicationContent text => text.Text,
        _ => null,
    };

    private static bool TryParseFeedDate(string? text, TimeZoneInfo zone, out DateTimeOffset value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();

        // RFC 822 allows zone names DateTimeOffset does not know; the common ones are fixed offsets.
        foreach (var (name, offset) in Rfc822Zones)
        {
            if (text.EndsWith(" " + name, StringComparison.OrdinalIgnoreCase))
            {
                text = text[..^name.Length] + offset;
                break;
            }
        }

        if (LocalTimes.TryParseTimestamp(text, zone, out value))
        {
            return true;
        }

        // "Mon, 01 Dec 2025 14:29:00 +0100" with a wrong weekday still names a clear instant.
        var comma = text.IndexOf(',', StringComparison.Ordinal);
        return comma > 0 && comma < 10 && LocalTimes.TryParseTimestamp(text[(comma + 1)..], zone, out value);
    }

    private static readonly (string Name, string Offset)[] Rfc822Zones =
    [
        ("UT", "+00:00"), ("UTC", "+00:00"), ("GMT", "+00:00"), ("Z", "+00:00"),
        ("EST", "-05:00"), ("EDT", "-04:00"), ("CST", "-06:00"), ("CDT", "-05:00"),
        ("MST", "-07:00"), ("MDT", "-06:00"), ("PST", "-08:00"), ("PDT", "-07:00"),
        ("CET", "+01:00"), ("CEST", "+02:00"),
    ];

    private static List<ParsedEntry> ParseJsonFeed(string content, ParseContext context)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(content, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new TickerParseException($"malformed JSON Feed: {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || Str(root, "version") is not { } version || !version.Contains("jsonfeed.org/version", StringComparison.OrdinalIgnoreCase))
            {
                throw new TickerParseException("not a JSON Feed: the top-level \"version\" is not a https://jsonfeed.org/version/… URL");
            }

            if (!root.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Array)
            {
                throw new TickerParseException("JSON Feed has no \"items\" array");
            }

            var entries = new List<ParsedEntry>();
            foreach (var item in items.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                var body = Str(item, "content_html") is { } html ? TextLines.HtmlFragmentToText(html)
                    : Str(item, "content_text") is { } text ? TextLines.HtmlFragmentToText(text)
                    : TextLines.HtmlFragmentToText(Str(item, "summary"));
                var headline = Flatten(Str(item, "title") ?? "");
                if (headline.Length == 0)
                {
                    headline = ParsedEntries.HeadlineFromBody(body);
                }

                var dateText = Str(item, "date_published") ?? Str(item, "date_modified");
                if (!LocalTimes.TryParseTimestamp(dateText, context.TimeZone, out var published))
                {
                    throw new TickerParseException(dateText is null
                        ? $"JSON Feed item '{headline}' has no date_published"
                        : $"JSON Feed item '{headline}' has an unreadable date_published '{dateText}'");
                }

                var id = Str(item, "id");
                var link = ParsedEntries.AbsoluteLink(Str(item, "url") ?? Str(item, "external_url"), context.Url);
                entries.Add(new ParsedEntry(string.IsNullOrWhiteSpace(id) ? null : id.Trim(), link, published, headline, body));
            }

            return entries;
        }
    }

    private static string? Str(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;

    private static string Flatten(string text) =>
        text.Replace("\r", "", StringComparison.Ordinal).Replace("\n\n", " ", StringComparison.Ordinal).Replace('\n', ' ').Trim();

}
