namespace Alerts.Core.Tickers;

/// <summary>What a parser needs to know about the page it reads.</summary>
/// <param name="SourceId">Copied into every <see cref="TickerItem.SourceId"/>.</param>
/// <param name="Url">The page's address, used to resolve relative links and to build entry links; may be null for a local file.</param>
/// <param name="TimeZone">The page's local time zone (SPEC §1, default Europe/Berlin).</param>
/// <param name="Fetched">When the page was fetched, if known: an upper bound for the days of entries that give only a time.</param>
public sealed record ParseContext(string SourceId, Uri? Url, TimeZoneInfo TimeZone, FetchTime? Fetched = null);

/// <summary>When a page was fetched, and how far that time can be trusted (SPEC §1).</summary>
/// <param name="At">The instant.</param>
/// <param name="FromFile">A saved file's modification time: files get copied, so it is trusted only up to a day after the page's own creation date.</param>
public readonly record struct FetchTime(DateTimeOffset At, bool FromFile = false)
{
    /// <summary>The poll's clock or a time given on the command line: trusted as is.</summary>
    public static FetchTime Now(DateTimeOffset at) => new(at);

    public static FetchTime FileModified(DateTimeOffset at) => new(at, FromFile: true);
}

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
