namespace Alerts.Core.Tickers;

/// <summary>The parser for each source kind, and auto-detection for sources configured without a kind.</summary>
public static class TickerParsers
{
    private static readonly LiveblogJsonLdParser JsonLd = new();
    private static readonly FeedParser Feed = new();
    private static readonly NtvLivetickerParser Ntv = new();

    /// <summary>In detection order: the most specific sniff first (SPEC §1, docs/parsing.md).</summary>
    public static IReadOnlyList<ITickerParser> All { get; } = [JsonLd, Feed, Ntv];

    /// <exception cref="ArgumentException">The kind is not one of <see cref="SourceKinds.All"/>.</exception>
    public static ITickerParser Get(string kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        return All.FirstOrDefault(p => string.Equals(p.Kind, kind.Trim(), StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"unknown source kind '{kind}'; known kinds: {string.Join(", ", SourceKinds.All)}", nameof(kind));
    }

    /// <summary>
    /// Picks the parser for content of unknown kind: JSON-LD <c>LiveBlogPosting</c> first (a page may also show
    /// <c>+++</c> text), then RSS/Atom/JSON Feed, then the ntv text structure.
    /// </summary>
    /// <exception cref="TickerParseException">No parser recognises the content.</exception>
    public static ITickerParser Detect(string content) => Choose(All, kind: null, content);

    /// <summary>Parses with the given kind, or the detected one when <paramref name="kind"/> is null or empty.</summary>
    public static IReadOnlyList<TickerItem> Parse(string content, ParseContext context, string? kind = null) =>
        Choose(All, kind, content).Parse(content, context);

    /// <summary>
    /// The one place where a parser is chosen: the configured <paramref name="kind"/>, or, when it is empty, the
    /// first of <paramref name="parsers"/> (in detection order) that recognises the content.
    /// </summary>
    /// <exception cref="TickerParseException">No parser of that kind, or none recognises the content.</exception>
    public static ITickerParser Choose(IReadOnlyList<ITickerParser> parsers, string? kind, string content)
    {
        ArgumentNullException.ThrowIfNull(parsers);
        ArgumentNullException.ThrowIfNull(content);
        if (!string.IsNullOrWhiteSpace(kind))
        {
            return parsers.FirstOrDefault(p => string.Equals(p.Kind, kind.Trim(), StringComparison.OrdinalIgnoreCase))
                ?? throw new TickerParseException($"unknown source kind '{kind}'; known kinds: {string.Join(", ", parsers.Select(p => p.Kind).Distinct())}");
        }

        if (string.IsNullOrWhiteSpace(content))
        {
            throw new TickerParseException("cannot detect the source kind: the content is empty");
        }

        return parsers.FirstOrDefault(p => p.CanParse(content))
            ?? throw new TickerParseException(
                "cannot detect the source kind: no schema.org LiveBlogPosting JSON-LD, no RSS/Atom/JSON Feed, and no '+++ HH:MM … +++' ticker headings");
    }
}
