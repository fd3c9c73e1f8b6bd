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
        var lines = new List<TextLine>(Math.Max(16, text.Length / 200));
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

    public static List<TextLine> FromHtml(IDocument document)
    {
        var writer = new HtmlLineWriter();
        writer.Walk(document.Body ?? document.DocumentElement);
        writer.Flush(blockFollows: true);
        return writer.Lines;
    }

    /// <summary>Plain text of an HTML fragment (or of text that merely may contain markup): paragraphs joined by a blank line.</summary>
    public static string HtmlFragmentToText(string? html)
    {
        if (string.IsNullOrWhiteSpace(html))
        {
            return "";
        }

        IEnumerable<TextLine> lines;
        if (html.AsSpan().IndexOfAny('<', '&') < 0)
        {
            lines = FromText(html);
        }
        else
        {
            var document = new HtmlParser().ParseDocument("<!DOCTYPE html><html><body>" + html + "</body></html>");
            lines = FromHtml(document);
        }

        var sb = new StringBuilder(html.Length);
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

    /// <summary>Walks the DOM once, emitting text the way a browser lays it out: blocks on their own lines, inline runs joined, whitespace collapsed.</summary>
    private sealed class HtmlLineWriter
    {
        private readonly StringBuilder current = new(256);
        private readonly List<(int Holder, string Id)> holders = [];
        private bool nextStartsBlock = true;
        private bool pendingSpace;
        private bool lastWasBreak;
        private int lineHolder;
        private string? lineHolderId;
        private string? lineAnchor;
        private string? pendingAnchor;
        private int holderCounter;
        private int flatten;

        public List<TextLine> Lines { get; } = [];

        public void Walk(INode? parent)
        {
            for (var node = parent?.FirstChild; node is not null; node = node.NextSibling)
            {
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

                var block = flatten == 0 && IsBlock(name);
                if (block)
                {
                    Flush(blockFollows: true);
                }
                else if (flatten > 0 && IsBlock(name))
                {
                    pendingSpace = current.Length > 0;
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
                else if (flatten > 0 && IsBlock(name))
                {
                    pendingSpace = current.Length > 0;
                }
            }
        }

        public void Flush(bool blockFollows)
        {
            if (current.Length > 0)
            {
                Lines.Add(new TextLine(current.ToString().AsMemory(), nextStartsBlock, lineHolder, lineHolderId, lineAnchor));
                current.Clear();
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
                pendingSpace = current.Length > 0;
                return;
            }

            // <br><br> is how some editors separate paragraphs.
            if (current.Length == 0 && lastWasBreak)
            {
                nextStartsBlock = true;
            }

            Flush(blockFollows: false);
            lastWasBreak = true;
        }

        private void AppendText(string data)
        {
            foreach (var c in data)
            {
                if (IsSpace(c))
                {
                    pendingSpace = current.Length > 0;
                    continue;
                }

                if (c is '\u00AD' or '\u200B' or '\u200C' or '\u200D')
                {
                    continue;
                }

                if (current.Length == 0)
                {
                    if (holders.Count > 0)
                    {
                        (lineHolder, lineHolderId) = holders[^1];
                    }
                    else
                    {
                        (lineHolder, lineHolderId) = (0, null);
                    }

                    lineAnchor = pendingAnchor;
                    pendingAnchor = null;
                    lastWasBreak = false;
                }
                else if (pendingSpace)
                {
                    current.Append(' ');
                }

                pendingSpace = false;
                current.Append(c);
            }
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
