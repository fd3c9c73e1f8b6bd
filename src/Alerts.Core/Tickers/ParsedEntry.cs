using Alerts.Core.Diffing;

namespace Alerts.Core.Tickers;

/// <summary>An entry of a structured source before it gets its key; shared by the JSON-LD and feed parsers.</summary>
internal sealed record ParsedEntry(string? OwnId, string? Link, DateTimeOffset Published, string Headline, string Body);

internal static class ParsedEntries
{
    /// <summary>
    /// Key: the source's own id, else the entry's link, else its UTC minute with an ordinal counted from the bottom
    /// of the page (the oldest end), so that entries added above never rename older ones (SPEC §2).
    /// </summary>
    public static List<TickerItem> ToItems(List<ParsedEntry> entries, ParseContext context)
    {
        var ordinals = new int[entries.Count];
        var perMinute = new Dictionary<long, int>();
        for (var i = entries.Count - 1; i >= 0; i--)
        {
            if (entries[i].OwnId is null && entries[i].Link is null)
            {
                var minute = entries[i].Published.UtcTicks / TimeSpan.TicksPerMinute;
                perMinute[minute] = ordinals[i] = perMinute.GetValueOrDefault(minute) + 1;
            }
        }

        var pageUrl = context.Url?.ToString();
        var items = new List<TickerItem>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            var key = e.OwnId ?? e.Link ?? ItemIdentity.TimeKey(e.Published, ordinals[i]);
            items.Add(new TickerItem(context.SourceId, key, e.Published, e.Headline, e.Body, e.Link ?? pageUrl, ItemIdentity.ContentHash(e.Headline, e.Body)));
        }

        return items;
    }

    /// <summary>A headline for an entry that has none: the body's first line, cut on a word boundary.</summary>
    public static string HeadlineFromBody(string body)
    {
        var firstLine = body.AsSpan();
        var nl = firstLine.IndexOf('\n');
        if (nl >= 0)
        {
            firstLine = firstLine[..nl];
        }

        firstLine = firstLine.Trim();
        if (firstLine.Length <= 120)
        {
            return firstLine.ToString();
        }

        var cut = firstLine[..120].LastIndexOf(' ');
        return string.Concat(firstLine[..(cut > 40 ? cut : 120)], "…");
    }

    /// <summary>An absolute http(s) link resolved against the page, or null.</summary>
    public static string? AbsoluteLink(string? link, Uri? page)
    {
        if (string.IsNullOrWhiteSpace(link))
        {
            return null;
        }

        link = link.Trim();
        if (Uri.TryCreate(link, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
        {
            return absolute.ToString();
        }

        if (page is { IsAbsoluteUri: true } && !link.Contains(':', StringComparison.Ordinal) && Uri.TryCreate(page, link, out var resolved))
        {
            return resolved.ToString();
        }

        return null;
    }
}
