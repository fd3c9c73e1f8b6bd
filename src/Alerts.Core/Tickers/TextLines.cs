using System.Buffers;
using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace Alerts.Core.Tickers;

/// <summary>One visible line of a page.</summary>
/// <param name="Text">Trimmed, never empty.</param>
/// <param name="StartsBlock">A blank line (text) or a block boundary (HTML) precedes it: it starts a new paragraph.</param>
/// <param name="Holder">Innermost element with an id around the line's first character (0: none); identifies the element, not the id text.</param>
/// <param name="HolderId">That element's id.</param>
/// <param name="Anchor">An empty <c>&lt;a id/name&gt;</c> marker seen just before the line.</param>
internal readonly record struct TextLine(ReadOnlyMemory<char> Text, bool StartsBlock, int Holder = 0, string? HolderId = null, string? Anchor = null);

/// <summary>Splits plain text and HTML into the same kind of visible lines.</summary>
internal static class TextLines
{
    public static List<TextLine> FromText(string text)
    {
        var lines = new List<TextLine>(text.AsSpan().Count('\n') + 1);
        var startsBlock = true;
        var pos = 0;
        while (pos <= text.Length)
        {
            var rest = text.AsSpan(pos);
            var nl = rest.IndexOf('\n');
            var end = nl < 0 ? text.Length : pos + nl;
            var (start, length) = Trim(text.AsSpan(pos, end - pos));
            if (length == 0)
            {
                startsBlock = true;
            }
            else
            {
                lines.Add(new TextLine(text.AsMemory(pos + start, length), startsBlock));
                startsBlock = false;
            }

            pos = end + 1;
        }

        return lines;
    }

    public static bool LooksLikeHtml(string content)
    {
        var s = content.AsSpan().TrimStart();
        if (s.Length > 0 && s[0] == '\uFEFF')
        {
            s = s[1..].TrimStart();
        }

        return s.Length > 1 && s[0] == '<' && (char.IsAsciiLetter(s[1]) || s[1] == '!' || s[1] == '?');
    }

    /// <summary>The visible lines of a parsed page; dispose after use (the text lives in a pooled buffer).</summary>
    /// <param name="capacityHint">The source's length: visible text is never longer than the markup it came from.</param>
    public static PooledLines FromHtml(IDocument document, int capacityHint)
    {
        var writer = new HtmlLineWriter(capacityHint);
        writer.Walk(document.Body ?? document.DocumentElement);
        writer.Flush(blockFollows: true);
        return writer.Detach();
    }

    /// <summary>Plain text of an HTML fragment (or of text that merely may contain markup): paragraphs joined by a blank line.</summary>
    public static string HtmlFragmentToText(string? html)
    {
        if (string.IsNullOrWhiteSpace(html))
        {
            return "";
        }

        if (html.AsSpan().IndexOfAny('<', '&') < 0)
        {
            return Join(FromText(html), html.Length);
        }

        var document = new HtmlParser().ParseDocument("<!DOCTYPE html><html><body>" + html + "</body></html>");
        using var lines = FromHtml(document, html.Length + 64);
        return Join(lines.Lines, html.Length);
    }

    private static string Join(List<TextLine> lines, int capacity)
    {
        var sb = new StringBuilder(capacity);
        foreach (var line in lines)
        {
            if (sb.Length > 0)
            {
                sb.Append(line.StartsBlock ? "\n\n" : "\n");
            }

            sb.Append(line.Text.Span);
        }

        return sb.ToString();
    }

    /// <summary>Lines whose text lives in a buffer rented from the shared pool until disposed.</summary>
    internal sealed class PooledLines(List<TextLine> lines, char[]? rented) : IDisposable
    {
        private char[]? rented = rented;

        public List<TextLine> Lines { get; } = lines;

        public void Dispose()
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
                rented = null;
            }
        }
    }

    private static (int Start, int Length) Trim(ReadOnlySpan<char> s)
    {
        var start = 0;
        while (start < s.Length && IsSpace(s[start]))
        {
            start++;
        }

        var end = s.Length;
        while (end > start && IsSpace(s[end - 1]))
        {
            end--;
        }

        return (start, end - start);
    }

    internal static bool IsSpace(char c) => c is ' ' or '\t' or '\r' or '\n' or '\f' or '\v' or '\u00A0' or '\u202F' or '\u2007' or '\uFEFF' || (c > 127 && char.IsWhiteSpace(c));

    /// <summary>Whitespace a browser collapses (except the plain space, handled in bulk), and invisible characters it drops.</summary>
    private static readonly SearchValues<char> SpecialChars = SearchValues.Create(
        "\t\r\n\f\v\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF"
        + "\u00AD\u200B\u200C\u200D");

    /// <summary>
    /// Walks the DOM once, emitting text the way a browser lays it out: blocks on their own lines, inline runs joined,
    /// whitespace collapsed. All lines go into one buffer and become slices of one string at the end, so a page of
    /// thousands of paragraphs costs one large allocation rather than thousands of small ones.
    /// </summary>
    private sealed class HtmlLineWriter
    {
        private readonly List<TextLine> lines = [];
        private readonly List<(int Holder, string Id)> holders = [];
        private char[]? rented;
        private char[] buffer;
        private int length;
        private int lineStart;
        private bool nextStartsBlock = true;
        private bool pendingSpace;
        private bool lastWasBreak;
        private int lineHolder;
        private string? lineHolderId;
        private string? lineAnchor;
        private string? pendingAnchor;
        private int holderCounter;
        private int flatten;

        public HtmlLineWriter(int capacityHint)
        {
            rented = ArrayPool<char>.Shared.Rent(Math.Max(256, capacityHint));
            buffer = rented;
        }

        private bool LineEmpty => length == lineStart;

        public PooledLines Detach()
        {
            var result = new PooledLines(lines, rented);
            rented = null;
            return result;
        }

        public void Walk(INode? parent)
        {
            if (parent is null)
            {
                return;
            }

            // The indexer, not NextSibling: AngleSharp finds a next sibling by searching the parent's child list,
            // which made a ticker's long flat run of paragraphs quadratic (measured: 40x slower at 500 entries).
            var children = parent.ChildNodes;
            for (var index = 0; index < children.Length; index++)
            {
                var node = children[index];
                if (node is IText text)
                {
                    AppendText(text.Data);
                    continue;
                }

                if (node is not IElement element)
                {
                    continue;
                }

                var name = element.LocalName;
                if (IsInvisible(name) || element.HasAttribute("hidden"))
                {
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

                var id = element.Id;
                if (string.IsNullOrEmpty(id) && name == "a")
                {
                    id = element.GetAttribute("name");
                }

                var pushed = false;
                if (!string.IsNullOrEmpty(id))
                {
                    if (element.FirstChild is null || (name == "a" && string.IsNullOrWhiteSpace(element.TextContent)))
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

                Walk(element);

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

        public void Flush(bool blockFollows)
        {
            if (!LineEmpty)
            {
                lines.Add(new TextLine(new ReadOnlyMemory<char>(buffer, lineStart, length - lineStart), nextStartsBlock, lineHolder, lineHolderId, lineAnchor));
                lineStart = length;
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
                var special = rest.IndexOfAny(SpecialChars);
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
                (lineHolder, lineHolderId) = holders.Count > 0 ? holders[^1] : (0, null);
                lineAnchor = pendingAnchor;
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

        private void Append(ReadOnlySpan<char> run)
        {
            if (length + run.Length > buffer.Length)
            {
                // Only if the hint was wrong. Lines already made keep pointing into the old buffer, which stays
                // untouched (and, if rented, is returned only on dispose), so the new one is a plain array.
                var grown = new char[Math.Max(buffer.Length * 2, length + run.Length)];
                buffer.AsSpan(0, length).CopyTo(grown);
                buffer = grown;
            }

            run.CopyTo(buffer.AsSpan(length));
            length += run.Length;
        }

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
