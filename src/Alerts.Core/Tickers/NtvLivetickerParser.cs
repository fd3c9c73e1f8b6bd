using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Alerts.Core.Diffing;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace Alerts.Core.Tickers;

/// <summary>
/// Reads an ntv.de "Liveticker" page (SPEC §1) from its visible text structure, for a saved HTML page and its plain
/// text alike: HTML is first laid out into visible lines, then both go through the same line parser. The markup is
/// used only for what text cannot say (entry anchors, the canonical URL).
/// </summary>
public sealed partial class NtvLivetickerParser : ITickerParser
{
    private const string Marker = "+++";

    public string Kind => SourceKinds.NtvLiveticker;

    /// <summary>Some <c>+++ HH:MM</c> appears: cheap enough to run on every page.</summary>
    public bool CanParse(string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var s = content.AsSpan();
        var at = 0;
        while (true)
        {
            var i = s[at..].IndexOf(Marker, StringComparison.Ordinal);
            if (i < 0)
            {
                return false;
            }

            at += i + Marker.Length;
            if (TryReadTime(s[at..], out _, out _, out _))
            {
                return true;
            }
        }
    }

    public IReadOnlyList<TickerItem> Parse(string content, ParseContext context)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(context);
        if (string.IsNullOrWhiteSpace(content))
        {
            throw new TickerParseException("the page is empty");
        }

        var pageUrl = context.Url is null ? null : WithoutFragment(context.Url);
        using var structure = new LineStructure();
        if (!TextLines.LooksLikeHtml(content))
        {
            TextLines.FromText(content, structure);
            return structure.Finish(context, pageUrl, fallbackDate: null);
        }

        var fallbackDate = ReadHtml(content, structure, context.TimeZone, ref pageUrl);
        return structure.Finish(context, pageUrl, fallbackDate);
    }

    /// <summary>
    /// One parser per thread: a new HtmlParser builds a browsing context with its services, ~24 KB and ~5 us per page
    /// (8% of AngleSharp's own parse of a 30-entry page). Per thread rather than shared, since AngleSharp does not
    /// promise that concurrent parses through one parser are safe; each call still builds its own document.
    /// </summary>
    [ThreadStatic]
    private static HtmlParser? htmlParser;

    /// <summary>
    /// Everything needed from the DOM is taken before the items are built, so that the garbage collections which
    /// building them causes do not have to keep (and promote) the whole document. A method of its own, not inlined:
    /// then no stack slot of <see cref="Parse"/> can still reference the document while the items are built.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static DateOnly? ReadHtml(string content, LineStructure structure, TimeZoneInfo zone, ref string? pageUrl)
    {
        var document = (htmlParser ??= new HtmlParser()).ParseDocument(content);
        TextLines.FromHtml(document, structure);
        pageUrl ??= CanonicalUrl(document);
        return structure.HasDate ? null : PublishedDate(document, zone);
    }

    /// <summary>
    /// The article id of an ntv.de URL (<c>…-article23143824.html</c> gives <c>23143824</c>), or null. The slug before it
    /// changes with every new entry, so the poller and the CLI key a page on this id, never on the whole URL (SPEC §1).
    /// </summary>
    public static string? ExtractArticleId(string? url)
    {
        if (string.IsNullOrEmpty(url))
        {
            return null;
        }

        var match = ArticleIdPattern().Match(url);
        return match.Success ? match.Groups[1].Value : null;
    }

    /// <summary>The page's own address from <c>&lt;link rel="canonical"&gt;</c> or <c>og:url</c> in saved HTML, without parsing the whole DOM.</summary>
    public static string? FindCanonicalUrl(string html)
    {
        ArgumentNullException.ThrowIfNull(html);
        foreach (Match tag in HeadTagPattern().Matches(html))
        {
            var value = tag.Value;
            if (value.Contains("canonical", StringComparison.OrdinalIgnoreCase) || value.Contains("og:url", StringComparison.OrdinalIgnoreCase))
            {
                var href = AttributePattern().Match(value);
                if (href.Success)
                {
                    return System.Net.WebUtility.HtmlDecode(href.Groups[2].Value);
                }
            }
        }

        return null;
    }

    // Also matches a saved copy's file name (…-article23143824.txt) and a bare "…-article23143824".
    [GeneratedRegex(@"-article(\d+)(?=\.[A-Za-z]+(?:$|[?#])|$|[?#/])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ArticleIdPattern();

    [GeneratedRegex(@"<(?:link|meta)\b[^>]*>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex HeadTagPattern();

    [GeneratedRegex(@"\b(href|content)\s*=\s*[""']([^""']*)[""']", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AttributePattern();

    /// <summary>
    /// The text-structure state machine. Lines stream in (from the text splitter or the DOM walk) and are consumed at
    /// once, so neither input needs a list of lines or a copy of its whole text. Headlines and bodies collect in one
    /// pooled buffer and become strings only in <see cref="Finish"/>, after the DOM is no longer needed: allocating
    /// them during the walk made the collector copy the live DOM into an older generation, which cost more than the
    /// walk itself.
    /// </summary>
    private sealed class LineStructure : ILineSink, IDisposable
    {
        private readonly List<Entry> entries = [];
        private readonly PooledChars collected = new(16 * 1024);
        private DateOnly? pageDate;
        private string? pendingImageName;
        private bool pendingImageNameStartsBlock;
        private bool paragraphOpen;
        private bool ended;
        private Entry? entry;

        public void Add(ReadOnlySpan<char> text, bool startsBlock, in LineMarkup markup)
        {
            if (ended)
            {
                return;
            }

            if (IsFooter(text))
            {
                ended = true; // Below the footer come teasers and site furniture, never entries.
                return;
            }

            if (IsAudioNote(text))
            {
                paragraphOpen = false;
                return;
            }

            if (IsCaption(text))
            {
                // The image-name line belongs to the caption: both are the photo block.
                pendingImageName = null;
                paragraphOpen = false;
                return;
            }

            if (IsImageName(text))
            {
                FlushPendingImageName();
                pendingImageName = text.ToString();
                pendingImageNameStartsBlock = startsBlock;
                return;
            }

            if (TryReadDateLine(text, out var date, out var fullMatch))
            {
                if (pageDate is null)
                {
                    pageDate = date;
                    paragraphOpen = false;
                    return;
                }

                if (fullMatch)
                {
                    paragraphOpen = false;
                    return;
                }
            }

            if (TryReadHeading(text, allowGlued: entries.Count == 0, out var hour, out var minute, out var headline, out var rest))
            {
                FlushPendingImageName();
                CloseEntry();
                var headlineStart = collected.Length;
                Write(headline);
                entry = new Entry(hour, minute, headlineStart, headline.Length, markup) { BodyStart = collected.Length };
                entries.Add(entry);
                if (!rest.IsEmpty)
                {
                    AppendBody(rest, startsBlock: false);
                }

                return;
            }

            FlushPendingImageName();
            AppendBody(text, startsBlock);
        }

        public bool HasDate => pageDate is not null;

        public IReadOnlyList<TickerItem> Finish(ParseContext context, string? pageUrl, DateOnly? fallbackDate)
        {
            FlushPendingImageName();
            CloseEntry();
            if (entries.Count == 0)
            {
                throw new TickerParseException("not an ntv liveticker page: no '+++ HH:MM … +++' entry headings found");
            }

            var topDate = pageDate ?? fallbackDate
                ?? throw new TickerParseException("no article date line 'DD.MM.YYYY, HH:MM Uhr' found, so the entries' days are unknown");

            foreach (var e in entries)
            {
                e.Headline = collected.ToString(e.HeadlineStart, e.HeadlineLength);
                e.Body = collected.ToString(e.BodyStart, e.BodyEnd - e.BodyStart);
            }

            AssignInstants(entries, topDate, context.TimeZone);
            return BuildItems(entries, context, pageUrl);
        }

        public void Dispose() => collected.Dispose();

        private void CloseEntry()
        {
            if (entry is not null)
            {
                entry.BodyEnd = collected.Length;
            }

            paragraphOpen = false;
        }

        private void Write(ReadOnlySpan<char> chars) => collected.Append(chars);

        private void AppendBody(ReadOnlySpan<char> line, bool startsBlock)
        {
            if (entry is null)
            {
                return; // Preamble above the first heading: section names, teasers.
            }

            if (paragraphOpen && !startsBlock)
            {
                Write("\n");
            }
            else if (collected.Length > entry.BodyStart)
            {
                Write("\n\n");
            }

            Write(line);
            paragraphOpen = true;
        }

        private void FlushPendingImageName()
        {
            if (pendingImageName is { } name)
            {
                pendingImageName = null;
                AppendBody(name, pendingImageNameStartsBlock);
            }
        }
    }

    /// <summary>
    /// The top entry is on the date line's day; going down, the wall clock runs backwards, and a time later than the
    /// one above steps back a day, except inside a fall-back hour, where it is the same day's summer-time pass.
    /// </summary>
    private static void AssignInstants(List<Entry> entries, DateOnly topDate, TimeZoneInfo zone)
    {
        var clock = new LocalTimes.DayCache(zone);
        var day = topDate;
        Entry? previous = null;
        foreach (var e in entries)
        {
            var time = new TimeOnly(e.Hour, e.Minute);
            if (previous is null)
            {
                e.Published = clock.ToUtc(day.ToDateTime(time));
            }
            else
            {
                var previousTime = new TimeOnly(previous.Hour, previous.Minute);
                var sameDay = clock.LatestAtOrBefore(day.ToDateTime(time), previous.Published);
                if (time <= previousTime)
                {
                    // A gap time read forward may land after the entry above; the page's order still says same day.
                    e.Published = sameDay ?? clock.ToUtc(day.ToDateTime(time));
                }
                else if (sameDay is { } repeated)
                {
                    e.Published = repeated;
                }
                else
                {
                    day = day.AddDays(-1);
                    e.Published = clock.ToUtc(day.ToDateTime(time));
                }
            }

            previous = e;
        }
    }

    private static List<TickerItem> BuildItems(List<Entry> entries, ParseContext context, string? pageUrl)
    {
        // Ordinals count from the bottom (oldest first) so that a new entry above never renames an existing one.
        var ordinals = new int[entries.Count];
        var perMinute = new Dictionary<long, int>();
        for (var i = entries.Count - 1; i >= 0; i--)
        {
            var minute = entries[i].Published.UtcTicks / TimeSpan.TicksPerMinute;
            perMinute[minute] = ordinals[i] = perMinute.GetValueOrDefault(minute) + 1;
        }

        // An element id around a heading is that entry's anchor only if no other heading shares the element.
        var holderUse = new Dictionary<int, int>();
        foreach (var e in entries)
        {
            if (e.Markup.Holder != 0)
            {
                holderUse[e.Markup.Holder] = holderUse.GetValueOrDefault(e.Markup.Holder) + 1;
            }
        }

        var items = new List<TickerItem>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            var text = e.Body;
            var anchor = e.Markup.Anchor
                ?? (e.Markup.Holder != 0 && holderUse[e.Markup.Holder] == 1 ? e.Markup.HolderId : null);
            var url = pageUrl is null ? null : anchor is null ? pageUrl : pageUrl + "#" + Uri.EscapeDataString(anchor);
            items.Add(new TickerItem(
                context.SourceId,
                ItemIdentity.TimeKey(e.Published, ordinals[i]),
                e.Published,
                e.Headline,
                text,
                url,
                ItemIdentity.ContentHash(e.Headline, text)));
        }

        return items;
    }

    /// <summary><c>+++ HH:MM Headline +++ [rest]</c> at the start of a line, or glued to the page title for the first entry.</summary>
    internal static bool TryReadHeading(ReadOnlySpan<char> line, bool allowGlued, out int hour, out int minute, out ReadOnlySpan<char> headline, out ReadOnlySpan<char> rest)
    {
        hour = minute = 0;
        headline = rest = default;
        int at;
        if (line.StartsWith(Marker, StringComparison.Ordinal))
        {
            at = Marker.Length;
            if (!TryReadTime(line[at..], out hour, out minute, out var used))
            {
                return false;
            }

            at += used;
        }
        else if (allowGlued)
        {
            at = 0;
            while (true)
            {
                var i = line[at..].IndexOf(Marker, StringComparison.Ordinal);
                if (i < 0)
                {
                    return false;
                }

                at += i + Marker.Length;
                if (TryReadTime(line[at..], out hour, out minute, out var used))
                {
                    at += used;
                    break;
                }
            }
        }
        else
        {
            return false;
        }

        var after = line[at..];
        var close = after.IndexOf(Marker, StringComparison.Ordinal);
        if (close < 0)
        {
            headline = after.Trim();
        }
        else
        {
            headline = after[..close].Trim();
            rest = after[(close + Marker.Length)..].Trim();
        }

        headline = headline.TrimEnd('+').TrimEnd();
        return true;
    }

    /// <summary>Optional spaces, <c>H:MM</c> or <c>HH:MM</c> (also with a dot), an optional <c>Uhr</c>, then a space or the end.</summary>
    private static bool TryReadTime(ReadOnlySpan<char> s, out int hour, out int minute, out int used)
    {
        hour = minute = used = 0;
        var i = 0;
        while (i < s.Length && TextLines.IsSpace(s[i]))
        {
            i++;
        }

        var digits = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i]) && digits < 3)
        {
            hour = (hour * 10) + (s[i] - '0');
            i++;
            digits++;
        }

        if (digits is < 1 or > 2 || i >= s.Length || (s[i] != ':' && s[i] != '.'))
        {
            return false;
        }

        i++;
        if (i + 2 > s.Length || !char.IsAsciiDigit(s[i]) || !char.IsAsciiDigit(s[i + 1]))
        {
            return false;
        }

        minute = ((s[i] - '0') * 10) + (s[i + 1] - '0');
        i += 2;
        if (hour > 23 || minute > 59 || (i < s.Length && char.IsAsciiDigit(s[i])))
        {
            return false;
        }

        var afterTime = i;
        while (i < s.Length && TextLines.IsSpace(s[i]))
        {
            i++;
        }

        if (s[i..].StartsWith("Uhr", StringComparison.Ordinal) && (i + 3 == s.Length || !char.IsLetter(s[i + 3])))
        {
            i += 3;
        }
        else
        {
            i = afterTime;
        }

        if (i < s.Length && !TextLines.IsSpace(s[i]) && s[i] != '+')
        {
            return false;
        }

        used = i;
        return true;
    }

    /// <summary>
    /// <c>[Weekday, ]DD.MM.YYYY[, HH:MM Uhr]</c> at the start of a line. <paramref name="fullMatch"/> says nothing else
    /// follows, so a later such line is page furniture rather than a sentence.
    /// </summary>
    internal static bool TryReadDateLine(ReadOnlySpan<char> line, out DateOnly date, out bool fullMatch)
    {
        date = default;
        fullMatch = false;
        if (line.Length < 10 || line.Length > 120)
        {
            return false;
        }

        var s = line;
        if (!char.IsAsciiDigit(s[0]))
        {
            var comma = s.IndexOf(',');
            if (comma is < 2 or > 12)
            {
                return false;
            }

            foreach (var c in s[..comma])
            {
                if (!char.IsLetter(c))
                {
                    return false;
                }
            }

            s = s[(comma + 1)..].TrimStart();
        }

        if (s.Length < 10 || !char.IsAsciiDigit(s[0]) || !char.IsAsciiDigit(s[1]) || s[2] != '.' || !char.IsAsciiDigit(s[3]) || !char.IsAsciiDigit(s[4]) || s[5] != '.')
        {
            return false;
        }

        for (var k = 6; k < 10; k++)
        {
            if (!char.IsAsciiDigit(s[k]))
            {
                return false;
            }
        }

        var day = ((s[0] - '0') * 10) + (s[1] - '0');
        var month = ((s[3] - '0') * 10) + (s[4] - '0');
        var year = ((s[6] - '0') * 1000) + ((s[7] - '0') * 100) + ((s[8] - '0') * 10) + (s[9] - '0');
        if (month is < 1 or > 12 || day < 1 || year < 1900 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        var rest = s[10..];
        if (!rest.IsEmpty && char.IsAsciiDigit(rest[0]))
        {
            return false;
        }

        date = new DateOnly(year, month, day);
        rest = rest.TrimStart();
        if (rest.StartsWith(","))
        {
            rest = rest[1..];
            if (TryReadTime(rest, out _, out _, out var used))
            {
                rest = rest[used..].TrimStart();
                if (rest.StartsWith("Uhr", StringComparison.Ordinal))
                {
                    rest = rest[3..];
                }
            }
        }

        fullMatch = rest.Trim().IsEmpty;
        return true;
    }

    // The first-letter test spares most lines the case-insensitive comparison, which is slow for non-ASCII text.
    private static bool IsFooter(ReadOnlySpan<char> line) =>
        line.Length > 0 && (line[0] | 0x20) == 'a' && line.StartsWith("Alle früheren Entwicklungen", StringComparison.OrdinalIgnoreCase);

    private static bool IsAudioNote(ReadOnlySpan<char> line) =>
        line.Length > 0 && (line[0] | 0x20) == 'd' && line.StartsWith("Diese Audioversion wurde künstlich generiert", StringComparison.OrdinalIgnoreCase);

    /// <summary>A photo caption: it ends in a credit <c>(Foto: …)</c>, is a bare credit, or carries the dpa-Bildfunk tag.</summary>
    internal static bool IsCaption(ReadOnlySpan<char> line)
    {
        if (line.Contains("+++ dpa-Bildfunk +++", StringComparison.Ordinal))
        {
            return true;
        }

        if (line.Length > 0 && line[^1] == ')')
        {
            var open = line.LastIndexOf('(');
            if (open >= 0 && IsCredit(line[(open + 1)..^1]))
            {
                return true;
            }
        }

        return IsCredit(line);
    }

    // The first-letter test spares nearly every line four case-insensitive comparisons (a quarter of the line checks).
    private static bool IsCredit(ReadOnlySpan<char> s) =>
        s.Length >= 5 && (s[0] | 0x20) is 'f' or 'b' && (s.StartsWith("Foto:", StringComparison.OrdinalIgnoreCase) || s.StartsWith("Fotos:", StringComparison.OrdinalIgnoreCase)
        || s.StartsWith("Bild:", StringComparison.OrdinalIgnoreCase) || s.StartsWith("Foto :", StringComparison.OrdinalIgnoreCase));

    /// <summary>An image's file name as a line: three or more words joined by '-' (or '_'), no spaces, optionally with an image extension.</summary>
    internal static bool IsImageName(ReadOnlySpan<char> line)
    {
        // Most lines are sentences: the first space ends the test before any per-character work.
        if (line.Length < 5 || line.Length > 400 || line.IndexOfAny(' ', '\u00A0') >= 0)
        {
            return false;
        }

        var dot = line.LastIndexOf('.');
        if (dot > 0)
        {
            var ext = line[(dot + 1)..];
            if (ext.Equals("jpg", StringComparison.OrdinalIgnoreCase) || ext.Equals("jpeg", StringComparison.OrdinalIgnoreCase)
                || ext.Equals("png", StringComparison.OrdinalIgnoreCase) || ext.Equals("webp", StringComparison.OrdinalIgnoreCase))
            {
                line = line[..dot];
            }
        }

        var separators = 0;
        var previousWasSeparator = true;
        foreach (var c in line)
        {
            if (c is '-' or '_')
            {
                if (previousWasSeparator)
                {
                    return false;
                }

                separators++;
                previousWasSeparator = true;
            }
            else if (char.IsLetterOrDigit(c))
            {
                previousWasSeparator = false;
            }
            else
            {
                return false;
            }
        }

        return separators >= 2 && !previousWasSeparator;
    }

    private static string WithoutFragment(Uri url) =>
        url.IsAbsoluteUri && !string.IsNullOrEmpty(url.Fragment) ? url.GetLeftPart(UriPartial.Query) : url.ToString();

    private static string? CanonicalUrl(IDocument document)
    {
        var href = document.QuerySelector("link[rel=canonical]")?.GetAttribute("href")
            ?? document.QuerySelector("meta[property='og:url']")?.GetAttribute("content");
        return Uri.TryCreate(href, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? WithoutFragment(uri)
            : null;
    }

    /// <summary>Markup's publication date, used only when the visible date line is missing.</summary>
    private static DateOnly? PublishedDate(IDocument document, TimeZoneInfo zone)
    {
        var value = document.QuerySelector("meta[property='article:published_time']")?.GetAttribute("content")
            ?? document.QuerySelector("time[datetime]")?.GetAttribute("datetime");
        return LocalTimes.TryParseTimestamp(value, zone, out var utc)
            ? DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(utc, zone).DateTime)
            : null;
    }

    private sealed class Entry(int hour, int minute, int headlineStart, int headlineLength, LineMarkup markup)
    {
        public int Hour { get; } = hour;

        public int Minute { get; } = minute;

        public int HeadlineStart { get; } = headlineStart;

        public int HeadlineLength { get; } = headlineLength;

        public LineMarkup Markup { get; } = markup;

        public int BodyStart { get; init; }

        public int BodyEnd { get; set; }

        public string Headline { get; set; } = "";

        public string Body { get; set; } = "";

        public DateTimeOffset Published { get; set; }
    }
}
