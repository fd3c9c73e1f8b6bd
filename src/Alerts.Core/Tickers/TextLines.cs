using System.Buffers;
using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace Alerts.Core.Tickers;

/// <summary>What the markup says about a line; all empty for plain text.</summary>
/// <param name="Holder">Innermost element with an id around the line's first character (0: none); identifies the element, not the id text.</param>
/// <param name="HolderId">That element's id.</param>
/// <param name="Anchor">An empty <c>&lt;a id/name&gt;</c> marker seen just before the line.</param>
/// <param name="Article">
/// The outermost <c>&lt;article&gt;</c> around the line's first character, numbered from 1 in document order; -1 for an
/// <c>&lt;h1&gt;</c> outside any article (the page title, which may carry the top entry); 0 for anything else.
/// </param>
internal readonly record struct LineMarkup(int Holder, string? HolderId, string? Anchor, int Article = 0);

/// <summary>Receives visible lines as they are found; the text span is valid only during the call.</summary>
internal interface ILineSink
{
    /// <param name="text">Trimmed, never empty.</param>
    /// <param name="startsBlock">A blank line (text) or a block boundary (HTML) precedes it: it starts a new paragraph.</param>
    /// <param name="markup">Anchor information from HTML.</param>
    void Add(ReadOnlySpan<char> text, bool startsBlock, in LineMarkup markup);
}

/// <summary>Splits plain text and HTML into the same kind of visible lines.</summary>
internal static class TextLines
{
    public static void FromText(string text, ILineSink sink)
    {
        var startsBlock = true;
        var rest = text.AsSpan();
        while (true)
        {
            var nl = rest.IndexOf('\n');
            var line = Trim(nl < 0 ? rest : rest[..nl]);
            if (line.IsEmpty)
            {
                startsBlock = true;
            }
            else
            {
                sink.Add(line, startsBlock, default);
                startsBlock = false;
            }

            if (nl < 0)
            {
                return;
            }

            rest = rest[(nl + 1)..];
        }
    }

    /// <summary>A <c>&lt;script type="application/ld+json"&gt;</c>: structured data, such as the page's own dates.</summary>
    public static bool IsJsonLd(IElement element) =>
        element.LocalName == "script" && string.Equals(element.GetAttribute("type")?.Trim(), "application/ld+json", StringComparison.OrdinalIgnoreCase);

    public static bool LooksLikeHtml(string content)
    {
        var s = content.AsSpan().TrimStart();
        if (s.Length > 0 && s[0] == '\uFEFF')
        {
            s = s[1..].TrimStart();
        }

        return s.Length > 1 && s[0] == '<' && (char.IsAsciiLetter(s[1]) || s[1] == '!' || s[1] == '?');
    }

    /// <summary>Lays a parsed page out into visible lines, in document order.</summary>
    /// <param name="maxDepth">Elements nested deeper fail the page (<see cref="ParseBudget.MaxDepth"/>).</param>
    /// <param name="jsonLd">Collects the text of the body's <c>application/ld+json</c> scripts, found by the same walk.</param>
    public static void FromHtml(IDocument document, ILineSink sink, int maxDepth = int.MaxValue, List<string>? jsonLd = null)
    {
        var writer = new HtmlLineWriter(sink, maxDepth, jsonLd);
        try
        {
            writer.Walk(document.Body ?? document.DocumentElement, 1);
            writer.Flush(blockFollows: true);
        }
        finally
        {
            writer.Release();
        }
    }

    /// <summary>Plain text of an HTML fragment (or of text that merely may contain markup): paragraphs joined by a blank line.</summary>
    public static string HtmlFragmentToText(string? html)
    {
        if (string.IsNullOrWhiteSpace(html))
        {
            return "";
        }

        var joiner = new Joiner(html.Length);
        if (html.AsSpan().IndexOfAny('<', '&') < 0)
        {
            FromText(html, joiner);
        }
        else
        {
            FromHtml(new HtmlParser().ParseDocument("<!DOCTYPE html><html><body>" + html + "</body></html>"), joiner);
        }

        return joiner.ToString();
    }

    private sealed class Joiner(int capacity) : ILineSink
    {
        private readonly StringBuilder sb = new(capacity);

        public void Add(ReadOnlySpan<char> text, bool startsBlock, in LineMarkup markup)
        {
            if (sb.Length > 0)
            {
                sb.Append(startsBlock ? "\n\n" : "\n");
            }

            sb.Append(text);
        }

        public override string ToString() => sb.ToString();
    }

    /// <summary>Every character <see cref="char.IsWhiteSpace(char)"/> accepts, plus the byte-order mark.</summary>
    private static readonly SearchValues<char> WhitespaceChars = SearchValues.Create(
        " \t\r\n\f\v\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF");

    private static ReadOnlySpan<char> Trim(ReadOnlySpan<char> s)
    {
        var start = s.IndexOfAnyExcept(WhitespaceChars);
        return start < 0 ? default : s[start..(s.LastIndexOfAnyExcept(WhitespaceChars) + 1)];
    }

    internal static bool IsSpace(char c) => c is ' ' or '\t' or '\r' or '\n' or '\f' or '\v' or '\u00A0' or '\u202F' or '\u2007' or '\uFEFF' || (c > 127 && char.IsWhiteSpace(c));

    /// <summary>Whitespace a browser collapses (except the plain space, handled in bulk), and invisible characters it drops.</summary>
    private static readonly SearchValues<char> SpecialChars = SearchValues.Create(
        "\t\r\n\f\v\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF"
        + "\u00AD\u200B\u200C\u200D");

    /// <summary>' ' to '~'. (A set rather than IndexOfAnyExceptInRange, whose generic overload boxed its bounds per call.)</summary>
    private static readonly SearchValues<char> PrintableAscii = SearchValues.Create(
        " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    /// <summary>
    /// Walks the DOM once, emitting text the way a browser lays it out: blocks on their own lines, inline runs joined,
    /// whitespace collapsed. Each line goes to the sink as soon as it ends, from one reused buffer.
    /// </summary>
    private sealed class HtmlLineWriter
    {
        private readonly ILineSink sink;
        private readonly int maxDepth;
        private readonly List<string>? jsonLd;
        private readonly List<(int Holder, string Id)> holders = [];
        private readonly PooledChars buffer = new(4096);
        private bool nextStartsBlock = true;
        private bool pendingSpace;
        private bool lastWasBreak;
        private LineMarkup lineMarkup;
        private string? pendingAnchor;
        private int holderCounter;
        private int flatten;
        private int article;
        private int articleCounter;

        public HtmlLineWriter(ILineSink sink, int maxDepth, List<string>? jsonLd)
        {
            this.sink = sink;
            this.maxDepth = maxDepth;
            this.jsonLd = jsonLd;
        }

        private bool LineEmpty => buffer.Length == 0;

        public void Release() => buffer.Dispose();

        public void Walk(INode? parent, int depth)
        {
            if (parent is null)
            {
                return;
            }

            // The parser stops nesting at this depth (as browsers do at 512) and would drop text below it, so a page
            // that reaches it fails clearly instead of losing entries silently; it also bounds this recursion.
            if (depth >= maxDepth)
            {
                throw new TickerParseException($"the page nests elements {maxDepth} or more deep; refused as unreadable (parse budget)");
            }

            // The indexer, not NextSibling: AngleSharp finds a next sibling by searching the parent's child list,
            // which made a ticker's long flat run of paragraphs quadratic (measured: 40x slower at 500 entries).
            var children = parent.ChildNodes;
            var count = children.Length;
            for (var index = 0; index < count; index++)
            {
                var node = children[index];
                if (node is not Element element)
                {
                    if (node is IText text)
                    {
                        AppendText(text.Data);
                    }

                    continue;
                }

                var name = element.LocalName;
                if (IsInvisible(name) || !ReadAttributes(element, name, out var id))
                {
                    if (jsonLd is not null && IsJsonLd(element))
                    {
                        jsonLd.Add(element.TextContent);
                    }

                    continue;
                }

                if (name == "br")
                {
                    LineBreak();
                    continue;
                }

                var isBlock = IsBlock(name);
                var block = flatten == 0 && isBlock;
                if (block)
                {
                    Flush(blockFollows: true);
                }
                else if (flatten > 0 && isBlock)
                {
                    pendingSpace = !LineEmpty;
                }

                var pushed = false;
                if (!string.IsNullOrEmpty(id))
                {
                    if (!element.HasChildNodes || (name == "a" && string.IsNullOrWhiteSpace(element.TextContent)))
                    {
                        pendingAnchor = id;
                    }
                    else
                    {
                        holders.Add((++holderCounter, id));
                        pushed = true;
                    }
                }

                // A caption is one line of text for the structure parser, however its markup splits it.
                var flattens = name == "figcaption";
                if (flattens)
                {
                    flatten++;
                }

                // Entries belong to one article; a teaser box outside it must not add entries or body text.
                var opensArticle = article <= 0 && name == "article";
                var opensTitle = article == 0 && name == "h1";
                if (opensArticle)
                {
                    article = ++articleCounter;
                }
                else if (opensTitle)
                {
                    article = -1;
                }

                Walk(element, depth + 1);

                if (opensArticle || opensTitle)
                {
                    Flush(blockFollows: true);
                    article = 0;
                }

                if (flattens)
                {
                    flatten--;
                }

                if (pushed)
                {
                    holders.RemoveAt(holders.Count - 1);
                }

                if (block)
                {
                    Flush(blockFollows: true);
                }
                else if (flatten > 0 && isBlock)
                {
                    pendingSpace = !LineEmpty;
                }
            }
        }

        /// <summary>
        /// The attributes the walk needs, in one pass (most elements have none): false for a <c>hidden</c> element;
        /// <paramref name="id"/> is the element's id, or an <c>&lt;a name&gt;</c> anchor's name.
        /// </summary>
        private static bool ReadAttributes(IElement element, string name, out string? id)
        {
            id = null;
            var attributes = element.Attributes;
            var count = attributes.Length;
            string? anchorName = null;
            for (var i = 0; i < count; i++)
            {
                var attribute = attributes[i]!;
                switch (attribute.Name)
                {
                    case "hidden":
                        return false;
                    case "id":
                        id = attribute.Value;
                        break;
                    case "name" when name == "a":
                        anchorName = attribute.Value;
                        break;
                }
            }

            if (string.IsNullOrEmpty(id))
            {
                id = anchorName;
            }

            return true;
        }

        public void Flush(bool blockFollows)
        {
            if (!LineEmpty)
            {
                // Only the current line is buffered: the sink consumes it now, so the buffer starts over.
                sink.Add(buffer.Span, nextStartsBlock, lineMarkup);
                buffer.Clear();
                nextStartsBlock = false;
            }

            pendingSpace = false;
            lastWasBreak = false;
            if (blockFollows)
            {
                nextStartsBlock = true;
            }
        }

        private void LineBreak()
        {
            if (flatten > 0)
            {
                pendingSpace = !LineEmpty;
                return;
            }

            // <br><br> is how some editors separate paragraphs.
            if (LineEmpty && lastWasBreak)
            {
                nextStartsBlock = true;
            }

            Flush(blockFollows: false);
            lastWasBreak = true;
        }

        private void AppendText(string data)
        {
            var rest = data.AsSpan();
            while (!rest.IsEmpty)
            {
                var special = IndexOfSpecial(rest);
                AppendSpaced(special < 0 ? rest : rest[..special]);
                if (special < 0)
                {
                    return;
                }

                if (rest[special] is not ('\u00AD' or '\u200B' or '\u200C' or '\u200D'))
                {
                    MarkSpace();
                }

                rest = rest[(special + 1)..];
            }
        }

        /// <summary>
        /// <c>IndexOfAny(SpecialChars)</c>, found faster: that set spans U+0009 to U+FEFF, so .NET searches it with a
        /// probabilistic map that leaves its vectorized path at every umlaut and cost half the DOM walk. Printable ASCII
        /// is skipped vectorized instead, and only the rare other characters are looked up.
        /// </summary>
        private static int IndexOfSpecial(ReadOnlySpan<char> s)
        {
            var offset = 0;
            while (true)
            {
                var i = s.IndexOfAnyExcept(PrintableAscii);
                if (i < 0)
                {
                    return -1;
                }

                if (SpecialChars.Contains(s[i]))
                {
                    return offset + i;
                }

                offset += i + 1;
                s = s[(i + 1)..];
            }
        }

        /// <summary>
        /// Text whose only whitespace is ' ': single spaces between words are copied in bulk, only runs of spaces and
        /// spaces at either end need work. Per-word handling cost more than AngleSharp's whole parse.
        /// </summary>
        private void AppendSpaced(ReadOnlySpan<char> run)
        {
            while (!run.IsEmpty)
            {
                if (run[0] == ' ')
                {
                    MarkSpace();
                    var next = run.IndexOfAnyExcept(' ');
                    if (next < 0)
                    {
                        return;
                    }

                    run = run[next..];
                    continue;
                }

                var doubled = run.IndexOf("  ", StringComparison.Ordinal);
                if (doubled < 0)
                {
                    if (run[^1] == ' ')
                    {
                        AppendRun(run[..^1]);
                        MarkSpace();
                    }
                    else
                    {
                        AppendRun(run);
                    }

                    return;
                }

                AppendRun(run[..doubled]);
                run = run[doubled..];
            }
        }

        private void MarkSpace() => pendingSpace = !LineEmpty;

        private void AppendRun(ReadOnlySpan<char> run)
        {
            if (LineEmpty)
            {
                var (holder, holderId) = holders.Count > 0 ? holders[^1] : (0, null);
                lineMarkup = new LineMarkup(holder, holderId, pendingAnchor, article);
                pendingAnchor = null;
                lastWasBreak = false;
            }
            else if (pendingSpace)
            {
                Append(" ");
            }

            pendingSpace = false;
            Append(run);
        }

        private void Append(ReadOnlySpan<char> run) => buffer.Append(run);

        private static bool IsInvisible(string name) => name switch
        {
            "script" or "style" or "noscript" or "template" or "nav" or "svg" or "head" or "title" or "meta" or "link"
                or "button" or "select" or "textarea" or "iframe" or "object" or "embed" or "canvas" or "audio" or "video"
                or "aside" or "footer" or "img" or "picture" or "input" => true,
            _ => false,
        };

        private static bool IsBlock(string name) => name switch
        {
            "p" or "div" or "h1" or "h2" or "h3" or "h4" or "h5" or "h6" or "li" or "ul" or "ol" or "dl" or "dt" or "dd"
                or "section" or "article" or "header" or "main" or "blockquote" or "figure" or "figcaption" or "pre"
                or "table" or "thead" or "tbody" or "tfoot" or "tr" or "td" or "th" or "caption" or "hr" or "address"
                or "details" or "summary" or "dialog" or "fieldset" or "form" or "hgroup" or "body" or "html" or "center" => true,
            _ => false,
        };
    }
}
