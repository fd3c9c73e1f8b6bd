namespace Alerts.Core.Tickers;

/// <summary>What a page says about its own age (SPEC §1). Either may be missing.</summary>
/// <param name="Created">The date line, else <c>meta name="date"</c>, <c>article:published_time</c>, JSON-LD <c>datePublished</c>.</param>
/// <param name="LastChanged"><c>meta name="last-modified"</c>, <c>article:modified_time</c>, JSON-LD <c>dateModified</c>.</param>
internal readonly record struct PageDates(DateTimeOffset? Created, DateTimeOffset? LastChanged);

/// <summary>
/// Puts entries that show only a time of day on their days (SPEC §1, docs/parsing.md "Days"): the top entry from the
/// page's own dates and the fetch time, every other entry from the one above it.
/// </summary>
internal static class TickerDays
{
    /// <summary>
    /// How far clocks may disagree. Also covers the date line's daily republish: it shows a time some minutes after
    /// midnight (00:01, 00:10 seen) while the entries just above and below midnight are older than that.
    /// </summary>
    public static readonly TimeSpan ClockTolerance = TimeSpan.FromMinutes(30);

    /// <summary>A saved file's modification time is trusted only this long after the page's creation: files get copied.</summary>
    public static readonly TimeSpan FileTimeTrust = TimeSpan.FromDays(1);

    /// <summary>
    /// The instant of the top entry: the latest occurrence of its time at or before the upper bound (the last change,
    /// else the fetch time), never before the creation; with no upper bound, the first occurrence at or after the
    /// creation. Null when the page gives no date and nothing was fetched: the day would be a guess.
    /// </summary>
    public static DateTimeOffset? TopEntry(TimeOnly time, PageDates dates, FetchTime? fetched, LocalTimes.DayCache clock)
    {
        var lower = dates.Created - ClockTolerance;
        if (UpperBound(dates, fetched) is { } upper)
        {
            var latest = LatestAtOrBefore(time, upper + ClockTolerance, clock);
            if (lower is not { } floor || latest >= floor)
            {
                return latest;
            }
        }

        return lower is { } from ? FirstAtOrAfter(time, from, clock) : null;
    }

    /// <summary>The last change where the page gives one (and it is not before the creation), else the fetch time.</summary>
    internal static DateTimeOffset? UpperBound(PageDates dates, FetchTime? fetched)
    {
        if (dates.LastChanged is { } changed && (dates.Created is not { } c || changed >= c - ClockTolerance))
        {
            return changed;
        }

        if (fetched is not { } fetch)
        {
            return null;
        }

        return fetch.FromFile && dates.Created is { } created && fetch.At > created + FileTimeTrust
            ? created + FileTimeTrust
            : fetch.At;
    }

    private static DateTimeOffset LatestAtOrBefore(TimeOnly time, DateTimeOffset limit, LocalTimes.DayCache clock)
    {
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(limit, clock.Zone).DateTime);

        // Three days back at most: a day has every wall time once, except a spring-forward gap, read as shifted.
        for (var back = 0; back < 3; back++)
        {
            if (clock.LatestAtOrBefore(day.AddDays(-back).ToDateTime(time), limit) is { } found)
            {
                return found;
            }
        }

        return clock.ToUtc(day.AddDays(-3).ToDateTime(time));
    }

    private static DateTimeOffset FirstAtOrAfter(TimeOnly time, DateTimeOffset from, LocalTimes.DayCache clock)
    {
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(from, clock.Zone).DateTime);
        for (var ahead = 0; ahead < 3; ahead++)
        {
            var (earlier, later) = clock.Candidates(day.AddDays(ahead).ToDateTime(time));
            if (earlier >= from)
            {
                return earlier;
            }

            if (later >= from)
            {
                return later;
            }
        }

        return clock.ToUtc(day.AddDays(3).ToDateTime(time));
    }
}
