namespace Alerts.Core.Tickers;

/// <summary>What a parser needs to know about the page it reads.</summary>
/// <param name="SourceId">Copied into every <see cref="TickerItem.SourceId"/>.</param>
/// <param name="Url">The page's address, used to resolve relative links and to build entry links; may be null for a local file.</param>
/// <param name="TimeZone">The page's local time zone (SPEC §1, default Europe/Berlin).</param>
public sealed record ParseContext(string SourceId, Uri? Url, TimeZoneInfo TimeZone);

/// <summary>Turns one fetched page or feed into items, newest first as the page gives them.</summary>
public interface ITickerParser
{
    /// <summary>One of <see cref="SourceKinds"/>.</summary>
    string Kind { get; }

    /// <summary>Cheap sniff used for auto-detection: does this content look like this kind?</summary>
    bool CanParse(string content);

    /// <exception cref="TickerParseException">The content is not a page of this kind.</exception>
    IReadOnlyList<TickerItem> Parse(string content, ParseContext context);
}

/// <summary>The content could not be read as a ticker; the message is fit for an operator.</summary>
public sealed class TickerParseException(string message, Exception? inner = null) : Exception(message, inner);
