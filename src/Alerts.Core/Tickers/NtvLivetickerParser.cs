using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
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

    private readonly ParseBudget budget;

    public NtvLivetickerParser(ParseBudget? budget = null)
    {
        this.budget = budget ?? ParseBudget.Default;
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
        using var structure = new LineStructure(content.Length);
        if (!TextLines.LooksLikeHtml(content))
        {
            TextLines.FromText(content, structure);
            return structure.Finish(context, pageUrl, default);
        }

        var markupDates = ReadHtml(content, structure, context.TimeZone, budget, ref pageUrl);
        return structure.Finish(context, pageUrl, markupDates);
    }

    /// <summary>
    /// One parser per thread: a new HtmlParser builds a browsing context with its services, ~24 KB and ~5 us per page
    /// (8% of AngleSharp's own parse of a 30-entry page). Per thread rather than shared, since AngleSharp does not
    /// promise that concurrent parses through one parser are safe; each call still builds its own document.
    /// </summary>
    [ThreadStatic]
    private static BudgetedHtmlParser? t_htmlParser;

    /// <summary>
    /// Everything needed from the DOM is taken before the items are built, so that the garbage collections which
    /// building them causes do not have to keep (and promote) the whole document. A method of its own, not inlined:
    /// then no stack slot of <see cref="Parse"/> can still reference the document while the items are built.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static PageDates ReadHtml(string content, LineStructure structure, TimeZoneInfo zone, ParseBudget budget, ref string? pageUrl)
    {
        var parser = t_htmlParser is { } cached && cached.Budget == budget ? cached : t_htmlParser = new BudgetedHtmlParser(budget);
        var document = parser.Parse(content);
        var jsonLd = new List<string>();
        TextLines.FromHtml(document, structure, budget.MaxDepth, jsonLd);
        pageUrl ??= CanonicalUrl(document);
        return MarkupDates(document, jsonLd, zone);
    }

    /// <summary>
    /// The article id of an ntv.de URL (<c>…-article23143824.html</c> and <c>…-id23143824.html</c> give <c>23143824</c>), or null. The slug before it
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

    // Both address forms: "-article23143824.html" (until 2025) and "-id23143824.html" (the template of late 2025).
    // Also matches a saved copy's file name (…-article23143824.txt) and a bare "…-id23143824".
    [GeneratedRegex(@"-(?:article|id)(\d+)(?=\.[A-Za-z]+(?:$|[?#])|$|[?#/])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
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
    private sealed class LineStructure(int contentLength) : ILineSink, IDisposable
    {
        /// <summary>Lines after an image name that may still turn out to be its caption (a caption printed twice, then the credit).</summary>
        private const int MaxHeldPhotoLines = 3;

        private readonly List<Entry> entries = [];
        // The headlines and bodies are never longer than the page they come from: one buffer of that size is rented
        // once, where growing it by doubling rented and copied through five ever larger arrays per page. Beyond a
        // million characters (no real ticker page; a hostile one may reach the response limit) it grows as needed,
        // so that the pool does not keep a page-sized array per thread for the largest response ever read.
        private readonly PooledChars collected = new(Math.Clamp(contentLength, 256, 1 << 20));
        private readonly List<(string Text, bool StartsBlock)> held = [];
        private DateTime? dateLine;
        private bool photoOpen;
        private bool paragraphOpen;
        private bool ended;
        private Entry? entry;

        // The last two body lines, so that a caption can take back the copies of itself printed just before it.
        private BodyLine last;
        private BodyLine beforeLast;

        public void Add(ReadOnlySpan<char> text, bool startsBlock, in LineMarkup markup)
        {
            if (ended)
            {
                return;
            }

            if (entry is { Article: > 0 } current && markup.Article != current.Article)
            {
                return; // A teaser box or related links outside the ticker's article.
            }

            if (IsFooter(text))
            {
                ended = true; // Below the footer come teasers and site furniture, never entries.
                return;
            }

            if (IsAudioNote(text) || IsSourceFooter(text) || IsImageFileName(text))
            {
                paragraphOpen = false;
                return;
            }

            if (IsCaption(text))
            {
                TakeBackCaptionCopies(text);
                held.Clear();
                photoOpen = false;
                paragraphOpen = false;
                return;
            }

            if (IsImageName(text))
            {
                ReleaseHeld();
                held.Add((text.ToString(), startsBlock));
                photoOpen = true;
                return;
            }

            if (TryReadDateLine(text, out var date, out var dateTime, out var rest))
            {
                // The article's date line sits between the title and the first body; a date opening a later
                // paragraph is a sentence, unless nothing else is on its line (page furniture). Text glued on is
                // taken only after the full "DD.MM.YYYY, HH:MM Uhr" form.
                if (dateLine is null && (rest.IsEmpty || dateTime is not null)
                    && (entry is null || (entry.FirstOfRegion && collected.Length == entry.BodyStart)))
                {
                    dateLine = date.ToDateTime(dateTime ?? TimeOnly.MinValue);
                    ReleaseHeld();
                    paragraphOpen = false;
                    if (!rest.IsEmpty)
                    {
                        Add(rest, startsBlock: true, markup); // "…17:08 UhrWas …": the text glued on is a line of its own.
                    }

                    return;
                }

                if (rest.IsEmpty)
                {
                    paragraphOpen = false;
                    return;
                }
            }

            // A heading glued to other text is the top entry in the page title: only the first heading of the page, or
            // of a new region of the markup (a title after a teaser box, see TickerEntries).
            var firstOfRegion = entry is null || entry.Article != markup.Article;
            if (TryReadHeading(text, allowGlued: firstOfRegion, out var hour, out var minute, out var headline, out var headingRest))
            {
                ReleaseHeld();
                CloseEntry();
                var headlineStart = collected.Length;
                Write(headline);
                entry = new Entry(hour, minute, headlineStart, headline.Length, markup) { BodyStart = collected.Length, FirstOfRegion = firstOfRegion };
                entries.Add(entry);
                last = beforeLast = default;
                if (!headingRest.IsEmpty)
                {
                    AppendBody(headingRest, startsBlock: false);
                }

                return;
            }

            if (photoOpen)
            {
                held.Add((text.ToString(), startsBlock));
                if (held.Count > MaxHeldPhotoLines)
                {
                    ReleaseHeld();
                }

                return;
            }

            AppendBody(text, startsBlock);
        }

        public IReadOnlyList<TickerItem> Finish(ParseContext context, string? pageUrl, PageDates markupDates)
        {
            ReleaseHeld();
            CloseEntry();
            var ticker = TickerEntries();
            if (ticker.Count == 0)
            {
                throw new TickerParseException("not an ntv liveticker page: no '+++ HH:MM … +++' entry headings found");
            }

            // One pass over the collected text: each entry's key and content hash are taken while its strings are
            // still in the cache (a 500-entry page's text is larger than a core's L2 cache).
            foreach (var e in ticker)
            {
                e.Headline = collected.ToString(e.HeadlineStart, e.HeadlineLength);
                e.Body = collected.ToString(e.BodyStart, e.BodyEnd - e.BodyStart);
                e.Key = ItemIdentity.EntryKey(new TimeOnly(e.Hour, e.Minute), e.Headline);
                e.ContentHash = ItemIdentity.ContentHash(e.Headline, e.Body);
            }

            // The visible date line is the creation; the markup's dates fill in what it does not say.
            DateTimeOffset? created = dateLine is { } line ? LocalTimes.ToUtc(line, context.TimeZone) : markupDates.Created;
            AssignInstants(ticker, markupDates with { Created = created }, context.Fetched, context.TimeZone);
            return BuildItems(ticker, context, pageUrl);
        }

        public void Dispose() => collected.Dispose();

        /// <summary>
        /// The entries of the ticker's article: where headings sit in <c>&lt;article&gt;</c> elements, those of the one
        /// with the most, plus a page title above it that carries the top entry (<see cref="LineMarkup.Article"/> -1);
        /// headings in teaser boxes outside it are not entries. Plain text, and HTML without articles, is all ticker.
        /// </summary>
        private List<Entry> TickerEntries()
        {
            if (entries.TrueForAll(e => e.Article <= 0))
            {
                return entries;
            }

            var article = entries.Where(e => e.Article > 0).GroupBy(e => e.Article).MaxBy(g => g.Count())!.Key;
            var first = entries.FindIndex(e => e.Article == article);
            return [.. entries.Where((e, i) => e.Article == article || (i < first && e.Article == -1))];
        }

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

            var start = collected.Length;
            var wasOpen = paragraphOpen;
            if (paragraphOpen && !startsBlock)
            {
                Write("\n");
            }
            else if (collected.Length > entry.BodyStart)
            {
                Write("\n\n");
            }

            beforeLast = last;
            last = new BodyLine(start, collected.Length, line.Length, wasOpen);
            Write(line);
            paragraphOpen = true;
        }

        /// <summary>
        /// A caption printed twice before its credit: the copies just above it (<c>X</c> then <c>X (Foto: …)</c>, or
        /// <c>X</c>, <c>X</c>, then a credit on a line of its own) are the photo block too, not body text.
        /// </summary>
        private void TakeBackCaptionCopies(ReadOnlySpan<char> caption)
        {
            if (entry is null || last.Length == 0 || held.Count > 0)
            {
                return;
            }

            var open = caption[^1] == ')' ? caption.LastIndexOf('(') : -1;
            var captionText = (open >= 0 ? caption[..open] : IsCredit(caption) ? default : caption).Trim();
            if (!captionText.IsEmpty)
            {
                if (captionText.SequenceEqual(Text(last)))
                {
                    TakeBack(last);
                }

                return;
            }

            if (beforeLast.Length != 0 && Text(last).SequenceEqual(Text(beforeLast)))
            {
                TakeBack(beforeLast);
            }
        }

        private ReadOnlySpan<char> Text(BodyLine line) => collected.Span.Slice(line.TextStart, line.Length);

        private void TakeBack(BodyLine line)
        {
            collected.Truncate(line.Start);
            paragraphOpen = line.ParagraphWasOpen;
            last = beforeLast = default;
        }

        /// <summary>An image name, and the lines after it, that were not followed by a caption after all: body text.</summary>
        private void ReleaseHeld()
        {
            photoOpen = false;
            if (held.Count == 0)
            {
                return;
            }

            foreach (var (text, startsBlock) in held)
            {
                AppendBody(text, startsBlock);
            }

            held.Clear();
        }
    }

    /// <summary>Where a body line sits in the collected text: from its separator (<paramref name="Start"/>) to its end.</summary>
    private readonly record struct BodyLine(int Start, int TextStart, int Length, bool ParagraphWasOpen);

    /// <summary>
    /// The top entry from the page's dates and the fetch time (<see cref="TickerDays"/>); going down, the wall clock
    /// runs backwards, and a time later than the one above steps back a day, except inside a fall-back hour, where it
    /// is the same day's summer-time pass.
    /// </summary>
    private static void AssignInstants(List<Entry> entries, PageDates dates, FetchTime? fetched, TimeZoneInfo zone)
    {
        var clock = new LocalTimes.DayCache(zone);
        var top = entries[0];
        var topInstant = TickerDays.TopEntry(new TimeOnly(top.Hour, top.Minute), dates, fetched, clock)
            ?? throw new TickerParseException(
                "the page gives no date (no date line 'DD.MM.YYYY, HH:MM Uhr', no date in its markup) and no fetch time is known, so the entries' days are unknown");
        top.Published = topInstant;
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(topInstant, zone).DateTime);
        var previous = top;
        foreach (var e in entries.Skip(1))
        {
            var time = new TimeOnly(e.Hour, e.Minute);
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

            previous = e;
        }
    }

    /// <summary>
    /// One item per key (<see cref="ItemIdentity.EntryKey(TimeOnly, string)"/>): the same heading twice is one entry
    /// (the title line's copy of the top entry, or an entry the page repeats), at its topmost place, with the first
    /// body that has text.
    /// </summary>
    private static List<TickerItem> BuildItems(List<Entry> entries, ParseContext context, string? pageUrl)
    {
        // An element id around a heading is that entry's anchor only if no other heading shares the element.
        var holderUse = new Dictionary<int, int>();
        foreach (var e in entries)
        {
            if (e.Markup.Holder != 0)
            {
                holderUse[e.Markup.Holder] = holderUse.GetValueOrDefault(e.Markup.Holder) + 1;
            }
        }

        var byKey = new Dictionary<string, int>(entries.Count, StringComparer.Ordinal);
        var kept = new List<(Entry Entry, string Body, string ContentHash, string? Anchor)>(entries.Count);
        foreach (var e in entries)
        {
            var anchor = e.Markup.Anchor
                ?? (e.Markup.Holder != 0 && holderUse[e.Markup.Holder] == 1 ? e.Markup.HolderId : null);
            if (byKey.TryGetValue(e.Key, out var at))
            {
                var first = kept[at];
                kept[at] = first.Body.Length > 0
                    ? first with { Anchor = first.Anchor ?? anchor }
                    : first with { Body = e.Body, ContentHash = ItemIdentity.ContentHash(first.Entry.Headline, e.Body), Anchor = first.Anchor ?? anchor };
                continue;
            }

            byKey[e.Key] = kept.Count;
            kept.Add((e, e.Body, e.ContentHash, anchor));
        }

        var items = new List<TickerItem>(kept.Count);
        foreach (var (e, body, contentHash, anchor) in kept)
        {
            var url = pageUrl is null ? null : anchor is null ? pageUrl : pageUrl + "#" + Uri.EscapeDataString(anchor);
            items.Add(new TickerItem(context.SourceId, e.Key, e.Published, e.Headline, body, url, contentHash));
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
    /// <c>[Weekday, ]DD.MM.YYYY[, HH:MM Uhr]</c> at the start of a line. <paramref name="rest"/> is what follows, also
    /// when glued on without a space (<c>…17:08 UhrWas …</c>); empty when the line is just the date.
    /// </summary>
    internal static bool TryReadDateLine(ReadOnlySpan<char> line, out DateOnly date, out TimeOnly? time, out ReadOnlySpan<char> rest)
    {
        date = default;
        time = null;
        rest = default;
        if (line.Length < 10)
        {
            return false;
        }

        var s = line;
        if (!char.IsAsciiDigit(s[0]))
        {
            // A weekday ("Montag, ") is at most 12 letters: never search a whole paragraph for its comma.
            var comma = s[..Math.Min(s.Length, 14)].IndexOf(',');
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

        var after = s[10..];
        if (!after.IsEmpty && char.IsAsciiDigit(after[0]))
        {
            return false;
        }

        date = new DateOnly(year, month, day);
        after = after.TrimStart();
        if (after.StartsWith(","))
        {
            var timePart = after[1..];
            if (TryReadTime(timePart, out var hour, out var minute, out var used))
            {
                time = new TimeOnly(hour, minute);
                after = timePart[used..].TrimStart();
                if (after.StartsWith("Uhr", StringComparison.Ordinal))
                {
                    after = after[3..];
                }
            }
        }

        rest = after.Trim();
        return true;
    }

    /// <summary>The source footer <c>Quelle: ntv.de, ino/dpa</c>: short, and never a sentence of an entry.</summary>
    private static bool IsSourceFooter(ReadOnlySpan<char> line) =>
        line.Length is > 7 and < 120 && line[0] == 'Q' && line.StartsWith("Quelle:", StringComparison.Ordinal);

    /// <summary>An image's file name on a line of its own (<c>SomeImageName.jpg</c>): one word with an image extension.</summary>
    internal static bool IsImageFileName(ReadOnlySpan<char> line)
    {
        var dot = line.LastIndexOf('.');
        if (dot <= 0 || line.Length - dot > 5 || line.Length > 300 || line.IndexOfAny(' ', '\u00A0') >= 0)
        {
            return false;
        }

        var ext = line[(dot + 1)..];
        return ext.Equals("jpg", StringComparison.OrdinalIgnoreCase) || ext.Equals("jpeg", StringComparison.OrdinalIgnoreCase)
            || ext.Equals("png", StringComparison.OrdinalIgnoreCase) || ext.Equals("webp", StringComparison.OrdinalIgnoreCase)
            || ext.Equals("gif", StringComparison.OrdinalIgnoreCase) || ext.Equals("avif", StringComparison.OrdinalIgnoreCase);
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

    /// <summary>
    /// The page's dates from its markup (SPEC §1): <c>meta name="date"</c>, <c>article:published_time</c> and JSON-LD
    /// <c>datePublished</c> say when it was created, <c>meta name="last-modified"</c>, <c>article:modified_time</c> and
    /// JSON-LD <c>dateModified</c> when it last changed. Only the head's own children and the JSON-LD blocks the line
    /// walk collected in the body are read: a selector query would walk the whole document once more per attribute.
    /// </summary>
    private static PageDates MarkupDates(IDocument document, List<string> bodyJsonLd, TimeZoneInfo zone)
    {
        string? date = null, published = null, lastModified = null, modified = null;
        var jsonLd = new List<string>();
        if (document.Head is { } head)
        {
            foreach (var element in head.Children)
            {
                if (TextLines.IsJsonLd(element))
                {
                    jsonLd.Add(element.TextContent);
                    continue;
                }

                if (element.LocalName != "meta" || element.GetAttribute("content") is not { } content)
                {
                    continue;
                }

                var name = element.GetAttribute("name") ?? element.GetAttribute("property") ?? element.GetAttribute("itemprop");
                switch (name?.ToLowerInvariant())
                {
                    case "date":
                        date ??= content;
                        break;
                    case "article:published_time" or "datepublished":
                        published ??= content;
                        break;
                    case "last-modified":
                        lastModified ??= content;
                        break;
                    case "article:modified_time" or "datemodified":
                        modified ??= content;
                        break;
                }
            }
        }

        jsonLd.AddRange(bodyJsonLd);
        var (ldPublished, ldModified) = JsonLdDates(jsonLd);
        return new PageDates(
            FirstTimestamp(zone, date, published, ldPublished),
            FirstTimestamp(zone, lastModified, modified, ldModified));
    }

    private static DateTimeOffset? FirstTimestamp(TimeZoneInfo zone, params ReadOnlySpan<string?> values)
    {
        foreach (var value in values)
        {
            // Without an offset ("2023-04-28 18:11:01.0") a timestamp is the page's wall time.
            if (LocalTimes.TryParseTimestamp(value, zone, out var utc))
            {
                return utc;
            }
        }

        return null;
    }

    /// <summary><c>datePublished</c>/<c>dateModified</c> of the first JSON-LD object that has them (top level, an array, or <c>@graph</c>).</summary>
    private static (string? Published, string? Modified) JsonLdDates(List<string> blocks)
    {
        foreach (var block in blocks)
        {
            try
            {
                using var json = JsonDocument.Parse(block, new JsonDocumentOptions { AllowTrailingCommas = true, MaxDepth = 16 });
                if (FindDates(json.RootElement, 0) is { } found)
                {
                    return found;
                }
            }
            catch (JsonException)
            {
                // A broken block says nothing; another may.
            }
        }

        return (null, null);

        static (string?, string?)? FindDates(JsonElement element, int level)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    var published = element.TryGetProperty("datePublished", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
                    var modified = element.TryGetProperty("dateModified", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                    if (published is not null || modified is not null)
                    {
                        return (published, modified);
                    }

                    return level < 2 && element.TryGetProperty("@graph", out var graph) ? FindDates(graph, level + 1) : null;
                case JsonValueKind.Array when level < 2:
                    foreach (var item in element.EnumerateArray())
                    {
                        if (FindDates(item, level + 1) is { } found)
                        {
                            return found;
                        }
                    }

                    return null;
                default:
                    return null;
            }
        }
    }

    /// <summary>
    /// AngleSharp with the page's parse budget: nesting is capped (as browsers cap it at 512, but deeper, so that the
    /// walk can tell a page that reached the cap) and the parse is stopped once it has used its time.
    /// </summary>
    private sealed class BudgetedHtmlParser
    {
        private readonly HtmlParser parser;
        private long startedAt;
        private int created;

        public BudgetedHtmlParser(ParseBudget budget)
        {
            Budget = budget;
            parser = new HtmlParser(new HtmlParserOptions { MaximumDepth = budget.MaxDepth + 2, OnCreated = (_, _) => CheckTime() });
        }

        public ParseBudget Budget { get; }

        public IDocument Parse(string content)
        {
            startedAt = Stopwatch.GetTimestamp();
            created = 0;
            return parser.ParseDocument(content);
        }

        // Every 64th element: reading the clock costs more than creating an element.
        private void CheckTime()
        {
            if ((++created & 63) == 0 && Stopwatch.GetElapsedTime(startedAt) > Budget.Time)
            {
                throw new TickerParseException(
                    $"parsing the page took longer than its budget of {Budget.Time.TotalSeconds:0.#} s ({created} elements so far); refused as unreadable");
            }
        }
    }

    private sealed class Entry(int hour, int minute, int headlineStart, int headlineLength, LineMarkup markup)
    {
        public int Article => Markup.Article;

        public int Hour { get; } = hour;

        public int Minute { get; } = minute;

        public int HeadlineStart { get; } = headlineStart;

        public int HeadlineLength { get; } = headlineLength;

        public LineMarkup Markup { get; } = markup;

        public int BodyStart { get; init; }

        public bool FirstOfRegion { get; init; }

        public int BodyEnd { get; set; }

        public string Headline { get; set; } = "";

        public string Body { get; set; } = "";

        public string Key { get; set; } = "";

        public string ContentHash { get; set; } = "";

        public DateTimeOffset Published { get; set; }
    }
}
