namespace Alerts.Core.Tickers;

/// <summary>
/// Turns a page's wall-clock time into UTC, deterministically across daylight-saving changes (docs/parsing.md):
/// a time in the spring-forward gap is read with the offset in force before the gap (02:30 becomes 03:30 summer
/// time, as NodaTime's lenient resolver and java.time do); a time in the fall-back hour has two candidates and the
/// caller picks one, by default the later (standard-time) one.
/// </summary>
internal static class LocalTimes
{
    /// <summary>The instants at which the wall clock of <paramref name="zone"/> showed <paramref name="local"/>, earliest first.</summary>
    public static (DateTimeOffset Earlier, DateTimeOffset Later) Candidates(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            // Offset from three hours earlier: no zone changes its clocks twice within three hours.
            var before = zone.GetUtcOffset(local.AddHours(-3));
            var utc = new DateTimeOffset(local.Ticks - before.Ticks, TimeSpan.Zero);
            return (utc, utc);
        }

        if (zone.IsAmbiguousTime(local))
        {
            var offsets = zone.GetAmbiguousTimeOffsets(local);
            var a = new DateTimeOffset(local.Ticks - offsets[0].Ticks, TimeSpan.Zero);
            var b = new DateTimeOffset(local.Ticks - offsets[^1].Ticks, TimeSpan.Zero);
            return a <= b ? (a, b) : (b, a);
        }

        var only = new DateTimeOffset(local.Ticks - zone.GetUtcOffset(local).Ticks, TimeSpan.Zero);
        return (only, only);
    }

    /// <summary>
    /// Remembers whether the last day asked about had one fixed offset, so that a page of hundreds of entries on a
    /// few days costs a few zone-rule look-ups instead of three per entry.
    /// </summary>
    internal sealed class DayCache(TimeZoneInfo zone)
    {
        private DateOnly day = DateOnly.MinValue;
        private TimeSpan? fixedOffset;

        public TimeZoneInfo Zone => zone;

        public (DateTimeOffset Earlier, DateTimeOffset Later) Candidates(DateTime local)
        {
            var date = DateOnly.FromDateTime(local);
            if (date != day)
            {
                day = date;
                var start = date.ToDateTime(TimeOnly.MinValue);
                var end = date.ToDateTime(new TimeOnly(23, 59));
                var startOffset = zone.GetUtcOffset(start);
                fixedOffset = startOffset == zone.GetUtcOffset(end) && !zone.IsInvalidTime(start) && !zone.IsAmbiguousTime(start) && !zone.IsAmbiguousTime(end)
                    ? startOffset
                    : null;
            }

            if (fixedOffset is { } offset)
            {
                var utc = new DateTimeOffset(local.Ticks - offset.Ticks, TimeSpan.Zero);
                return (utc, utc);
            }

            return LocalTimes.Candidates(local, zone);
        }

        public DateTimeOffset ToUtc(DateTime local) => Candidates(local).Later;

        public DateTimeOffset? LatestAtOrBefore(DateTime local, DateTimeOffset limit)
        {
            var (earlier, later) = Candidates(local);
            return later <= limit ? later : earlier <= limit ? earlier : null;
        }
    }

    /// <summary>The latest instant showing <paramref name="local"/>: standard time for an ambiguous hour.</summary>
    public static DateTimeOffset ToUtc(DateTime local, TimeZoneInfo zone) => Candidates(local, zone).Later;

    /// <summary>The latest instant showing <paramref name="local"/> that is not after <paramref name="limit"/>, if any.</summary>
    public static DateTimeOffset? LatestAtOrBefore(DateTime local, TimeZoneInfo zone, DateTimeOffset limit)
    {
        var (earlier, later) = Candidates(local, zone);
        if (later <= limit)
        {
            return later;
        }

        return earlier <= limit ? earlier : null;
    }

    /// <summary>
    /// Reads an ISO 8601 / RFC 3339 timestamp, or any invariant-culture date: with an offset (or <c>Z</c>) it is
    /// taken as given; without one it is wall-clock time in <paramref name="zone"/>.
    /// </summary>
    public static bool TryParseTimestamp(string? text, TimeZoneInfo zone, out DateTimeOffset utc)
    {
        utc = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        if (HasExplicitOffset(text))
        {
            if (DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AllowWhiteSpaces, out var withOffset))
            {
                utc = withOffset.ToUniversalTime();
                return true;
            }

            return false;
        }

        if (DateTime.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AllowWhiteSpaces, out var local))
        {
            utc = ToUtc(local, zone);
            return true;
        }

        return false;
    }

    // After the date part (first 10 chars of an ISO date), a Z, + or - means an explicit offset;
    // RFC 822 zone names (GMT, UT, EST...) are left to DateTimeOffset.TryParse as well.
    private static bool HasExplicitOffset(string text)
    {
        var start = Math.Min(text.Length, 10);
        var tail = text.AsSpan(start);
        return tail.IndexOfAny('+', 'Z', 'z') >= 0
            || tail.LastIndexOf('-') >= 0
            || tail.EndsWith("GMT", StringComparison.OrdinalIgnoreCase)
            || tail.EndsWith(" UT", StringComparison.OrdinalIgnoreCase);
    }
}
