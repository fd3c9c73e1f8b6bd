namespace Alerts.Core.Tickers;

/// <summary>One entry of a ticker, whatever kind of source it came from (SPEC §1).</summary>
/// <param name="SourceId">The configured source's id.</param>
/// <param name="Key">Stable identity of the entry within its source (SPEC §2).</param>
/// <param name="Published">Publication time in UTC.</param>
/// <param name="Headline">Plain-text headline.</param>
/// <param name="Body">Plain-text body; paragraphs separated by a blank line ("\n\n").</param>
/// <param name="Url">Link to the entry, with a fragment where the page gives one.</param>
/// <param name="ContentHash">Hash of headline and body; a changed hash under the same key is an update.</param>
public sealed record TickerItem(
    string SourceId,
    string Key,
    DateTimeOffset Published,
    string Headline,
    string Body,
    string? Url,
    string ContentHash);
