using System.Text.RegularExpressions;

namespace Alerts.Core.Matching;

/// <summary>Limits of SPEC §3 (<c>Alerts:Limits:MaxQueryLength</c>); the term limit keeps one query's cost bounded.</summary>
public sealed record QueryOptions
{
    public static QueryOptions Default { get; } = new();

    public int MaxLength { get; init; } = 256;

    public int MaxTerms { get; init; } = 32;

    /// <summary>How long one regex term may run on one item before it counts as no match.</summary>
    public TimeSpan RegexTimeout { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// What matching one item against one query may cost in all (its regexes together); past it the remaining
    /// regex terms count as no match. A regex call is stopped at <see cref="RegexTimeout"/>, so the worst case is
    /// this plus one timeout.
    /// </summary>
    public TimeSpan ItemBudget { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Largest bound of a counted repetition (<c>{n,m}</c>) in a regex: the engine unrolls it into that many copies.</summary>
    public int MaxRegexRepetition { get; init; } = 100;

    /// <summary>Largest automaton (character positions after unrolling, <see cref="RegexCost.Size"/>) of all regexes of one query together.</summary>
    public int MaxRegexSize { get; init; } = 1000;

    /// <summary>Most variable repetitions (<c>*</c>, <c>+</c>, <c>?</c>, optional copies of <c>{n,m}</c>, after unrolling; <see cref="RegexCost.Loops"/>) of all regexes of one query together.</summary>
    public int MaxRegexLoops { get; init; } = 24;

    /// <summary>
    /// Where regexes are built and kept: shared by every query parsed or compiled with these options, bounded in
    /// memory (<see cref="RegexCache"/>). By default the process-wide <see cref="RegexCache.Shared"/>.
    /// </summary>
    public RegexCache Regexes { get; init; } = RegexCache.Shared;
}

/// <summary>
/// Parses the query language of SPEC §3 into a <see cref="QueryNode"/> tree. Precedence from loosest:
/// <c>OR</c> / <c>,</c>; implicit AND (an explicit <c>AND</c> is accepted too); <c>NOT</c> / <c>-</c>;
/// then atoms: <c>(…)</c>, <c>"phrase"</c>, <c>/regex/</c>, <c>word</c>, <c>word*</c>, <c>headline:atom</c>, <c>source:ID</c>.
/// </summary>
public static class QueryParser
{
    public const RegexOptions RegexFlags = RegexOptions.NonBacktracking | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;

    /// <exception cref="QuerySyntaxException">What is wrong and at which 0-based character.</exception>
    public static QueryNode Parse(string query, QueryOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        options ??= QueryOptions.Default;
        if (query.Length > options.MaxLength)
        {
            throw new QuerySyntaxException($"query longer than {options.MaxLength} characters", options.MaxLength);
        }

        var tokens = Lex(query, options);
        if (tokens.Count == 1)
        {
            throw new QuerySyntaxException("empty query", 0);
        }

        var parser = new Parser(tokens, options);
        var root = parser.ParseOr();
        var next = parser.Peek;
        if (next.Kind == Kind.RParen)
        {
            throw new QuerySyntaxException("unbalanced parenthesis", next.Position);
        }

        if (next.Kind != Kind.End)
        {
            throw new QuerySyntaxException($"unexpected '{next.Text}'", next.Position);
        }

        if (FindUnanchored(root, parser.Positions) is { } loose)
        {
            throw new QuerySyntaxException(
                "query would match almost everything: it needs a word that is not negated with NOT or '-' (in every OR branch)", loose);
        }

        return root;
    }

    /// <summary>Parses without throwing; <paramref name="error"/> carries reason and position.</summary>
    public static bool TryParse(string query, QueryOptions? options, out QueryNode? node, out QuerySyntaxException? error)
    {
        try
        {
            node = Parse(query, options);
            error = null;
            return true;
        }
        catch (QuerySyntaxException e)
        {
            node = null;
            error = e;
            return false;
        }
    }

    /// <summary>Position of a part of the tree that matches without any positive term, or null when every branch is anchored.</summary>
    private static int? FindUnanchored(QueryNode node, Dictionary<QueryNode, int> positions)
    {
        int Pos(QueryNode n) => positions.TryGetValue(n, out var p) ? p : 0;
        switch (node)
        {
            case WordNode or PrefixNode or PhraseNode or RegexNode:
                return null;
            case SourceNode or NotNode:
                return Pos(node);
            case AndNode and:
                return and.Operands.Any(o => FindUnanchored(o, positions) is null) ? null : Pos(node);
            case OrNode or:
                foreach (var operand in or.Operands)
                {
                    if (FindUnanchored(operand, positions) is { } p)
                    {
                        return p;
                    }
                }

                return null;
            default:
                return Pos(node);
        }
    }

    private enum Kind
    {
        End,
        LParen,
        RParen,
        Or,
        And,
        Not,
        Word,
        Prefix,
        Phrase,
        Regex,
        Headline,
        Source,
    }

    private readonly record struct Lexeme(Kind Kind, string Text, int Position);

    private static bool IsDelimiter(char c) => char.IsWhiteSpace(c) || c is '(' or ')' or '"';

    private static List<Lexeme> Lex(string q, QueryOptions options)
    {
        var tokens = new List<Lexeme>();
        var i = 0;
        while (i < q.Length)
        {
            var c = q[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            switch (c)
            {
                case '(':
                    tokens.Add(new(Kind.LParen, "(", i++));
                    continue;
                case ')':
                    tokens.Add(new(Kind.RParen, ")", i++));
                    continue;
                case ',':
                    tokens.Add(new(Kind.Or, ",", i++));
                    continue;
                case '"':
                {
                    var close = q.IndexOf('"', i + 1);
                    if (close < 0)
                    {
                        throw new QuerySyntaxException("unclosed quote", i);
                    }

                    var text = q[(i + 1)..close];
                    if (TextNormalizer.Default.Tokenize(text).Count == 0)
                    {
                        throw new QuerySyntaxException("empty phrase", i);
                    }

                    tokens.Add(new(Kind.Phrase, text, i));
                    i = close + 1;
                    continue;
                }

                case '/':
                    i = LexRegex(q, i, tokens, options);
                    continue;
                case '-':
                    if (i + 1 >= q.Length || char.IsWhiteSpace(q[i + 1]) || q[i + 1] is ')' or ',')
                    {
                        throw new QuerySyntaxException("'-' must be followed by a term", i);
                    }

                    tokens.Add(new(Kind.Not, "-", i++));
                    continue;
            }

            // A chunk: everything up to whitespace, a parenthesis, a quote, or a comma that is not inside a number.
            var start = i;
            while (i < q.Length && !IsDelimiter(q[i]) && !(q[i] == ',' && !(i > start && char.IsDigit(q[i - 1]) && i + 1 < q.Length && char.IsDigit(q[i + 1]))))
            {
                if (q[i] == ':' && i > start && IsFieldName(q.AsSpan(start, i - start))
                    && ((i + 1 < q.Length && !char.IsWhiteSpace(q[i + 1])) || IsKnownField(q.AsSpan(start, i - start))))
                {
                    break;
                }

                i++;
            }

            if (i < q.Length && q[i] == ':' && i > start)
            {
                i = LexField(q, start, i, tokens);
                continue;
            }

            var chunk = q[start..i];
            switch (chunk)
            {
                // German spellings of the operators (SPEC §5), upper case only like the English ones.
                case "OR" or "ODER":
                    tokens.Add(new(Kind.Or, chunk, start));
                    continue;
                case "AND" or "UND":
                    tokens.Add(new(Kind.And, chunk, start));
                    continue;
                case "NOT" or "NICHT":
                    tokens.Add(new(Kind.Not, chunk, start));
                    continue;
            }

            tokens.Add(LexWord(chunk, start));
        }

        tokens.Add(new(Kind.End, "", q.Length));
        return tokens;
    }

    private static bool IsKnownField(ReadOnlySpan<char> name) =>
        name.Equals("headline", StringComparison.OrdinalIgnoreCase) || name.Equals("source", StringComparison.OrdinalIgnoreCase);

    private static bool IsFieldName(ReadOnlySpan<char> name)
    {
        foreach (var c in name)
        {
            if (!char.IsAsciiLetter(c))
            {
                return false;
            }
        }

        return true;
    }

    private static int LexField(string q, int start, int colon, List<Lexeme> tokens)
    {
        var name = q[start..colon];
        if (name.Equals("headline", StringComparison.OrdinalIgnoreCase))
        {
            tokens.Add(new(Kind.Headline, "headline:", start));
            return colon + 1;
        }

        if (name.Equals("source", StringComparison.OrdinalIgnoreCase))
        {
            var i = colon + 1;
            while (i < q.Length && !IsDelimiter(q[i]) && q[i] != ',')
            {
                i++;
            }

            var id = q[(colon + 1)..i];
            if (id.Length == 0)
            {
                throw new QuerySyntaxException("'source:' needs a source id", start);
            }

            tokens.Add(new(Kind.Source, id, start));
            return i;
        }

        throw new QuerySyntaxException($"unknown field '{name}:' (known: headline:, source:)", start);
    }

    private static Lexeme LexWord(string chunk, int start)
    {
        var star = chunk.IndexOf('*');
        if (star >= 0 && star != chunk.Length - 1)
        {
            throw new QuerySyntaxException("'*' is only allowed at the end of a word", start + star);
        }

        var text = star >= 0 ? chunk[..^1] : chunk;
        var tokens = TextNormalizer.Default.Tokenize(text);
        if (star >= 0)
        {
            if (text.Count(char.IsLetterOrDigit) < 3)
            {
                throw new QuerySyntaxException("'*' needs 3 letters before it", start + star);
            }

            // A prefix is one word or one hyphenated compound (compared in its joined form).
            var words = tokens.Count(t => !t.IsCompoundWhole);
            if (words != 1 && !(tokens.Count > 0 && tokens[0].IsCompoundWhole && tokens[0].Start == 0 && tokens[0].Length == text.Length && words == tokens.Count - 1))
            {
                throw new QuerySyntaxException("a prefix must be a single word", start);
            }

            return new(Kind.Prefix, text, start);
        }

        if (tokens.Count == 0)
        {
            throw new QuerySyntaxException($"'{chunk}' has no letters or digits", start);
        }

        return new(Kind.Word, text, start);
    }

    private static int LexRegex(string q, int start, List<Lexeme> tokens, QueryOptions options)
    {
        var i = start + 1;
        while (i < q.Length && q[i] != '/')
        {
            i += q[i] == '\\' ? 2 : 1;
        }

        if (i >= q.Length)
        {
            throw new QuerySyntaxException("unclosed regex", start);
        }

        var pattern = q[(start + 1)..i];
        if (pattern.Length == 0)
        {
            throw new QuerySyntaxException("empty regex", start);
        }

        if (i + 1 < q.Length && !IsDelimiter(q[i + 1]) && q[i + 1] != ',')
        {
            throw new QuerySyntaxException("nothing may follow a regex's closing '/' (matching is always case-insensitive)", i + 1);
        }

        // Syntax first with the backtracking engine, which reads a{100000} without unrolling it; then the cost, so
        // that a pattern too large for NonBacktracking is refused for its size and not as "not supported". A pattern
        // the cache holds was read before: its syntax need not be checked again (10,000 subscribers, one regex).
        var cache = options.Regexes;
        if (!cache.Contains(pattern, RegexFlags, options.RegexTimeout))
        {
            try
            {
                _ = new Regex(pattern, RegexFlags & ~RegexOptions.NonBacktracking, options.RegexTimeout);
            }
            catch (RegexParseException e)
            {
                throw new QuerySyntaxException($"invalid regex: {DescribeRegexError(e.Error)}", start + 1 + Math.Max(0, e.Offset - 1));
            }
            catch (ArgumentException e)
            {
                throw new QuerySyntaxException($"invalid regex: {e.Message}", start);
            }
        }

        var cost = RegexCost.Of(pattern);
        if (cost.LargestRepetition > options.MaxRegexRepetition)
        {
            throw new QuerySyntaxException(
                $"regex too costly: a counted repetition of {cost.LargestRepetition} is over the limit of {options.MaxRegexRepetition} (it cannot be matched cheaply)", start);
        }

        if (cost.Size > options.MaxRegexSize)
        {
            throw new QuerySyntaxException(
                $"regex too costly: its automaton has about {cost.Size} states, over the limit of {options.MaxRegexSize} (it cannot be matched cheaply)", start);
        }

        if (cost.Loops > options.MaxRegexLoops)
        {
            throw new QuerySyntaxException(
                $"regex too costly: it has {cost.Loops} variable repetitions (*, +, ?, {{n,m}}) once its counts are unrolled, over the limit of {options.MaxRegexLoops} (it cannot be matched cheaply)", start);
        }

        // Built in the cache, so that compiling the query (and every other query with this regex) finds it there.
        CachedRegex regex;
        try
        {
            regex = cache.Get(pattern, RegexFlags, options.RegexTimeout);
        }
        catch (RegexParseException e)
        {
            throw new QuerySyntaxException($"invalid regex: {DescribeRegexError(e.Error)}", start + 1 + Math.Max(0, e.Offset - 1));
        }
        catch (NotSupportedException)
        {
            throw new QuerySyntaxException("invalid regex: backreferences, lookarounds, atomic groups and conditionals are not supported", start);
        }
        catch (ArgumentException e)
        {
            throw new QuerySyntaxException($"invalid regex: {e.Message}", start);
        }

        try
        {
            if (regex.IsMatch(""))
            {
                throw new QuerySyntaxException("invalid regex: it matches empty text, so it would match every item", start);
            }

            // Like a query without a word: /./, / / or /(?s).+/ match nearly every entry. A regex must need at least
            // two characters, and not be satisfied by short neutral text.
            if (cost.MinLength < 2 || MatchEverythingProbes.Any(regex.IsMatch))
            {
                throw new QuerySyntaxException("regex would match almost everything: it must ask for something specific, at least two characters", start);
            }
        }
        catch (RegexMatchTimeoutException)
        {
            // Cannot happen on these short inputs; a pattern is never rejected for it.
        }

        tokens.Add(new(Kind.Regex, pattern, start));
        return i + 1;
    }

    /// <summary>Short text no real subscription is looking for; a regex that finds something in it finds it everywhere.</summary>
    private static readonly string[] MatchEverythingProbes = ["xq", "q z", "9k", "k9", "zq\n"];

    private static string DescribeRegexError(RegexParseError error)
    {
        // "UnterminatedBracket" → "unterminated bracket"
        var name = error.ToString();
        var sb = new System.Text.StringBuilder();
        foreach (var c in name)
        {
            if (char.IsUpper(c) && sb.Length > 0)
            {
                sb.Append(' ');
            }

            sb.Append(char.ToLowerInvariant(c));
        }

        return sb.ToString();
    }

    private sealed class Parser(List<Lexeme> tokens, QueryOptions options)
    {
        private int index;
        private int terms;
        private long regexSize;
        private long regexLoops;

        public Dictionary<QueryNode, int> Positions { get; } = new(ReferenceEqualityComparer.Instance);

        public Lexeme Peek => tokens[index];

        private Lexeme Next() => tokens[index++];

        private static bool StartsTerm(Kind kind) =>
            kind is Kind.LParen or Kind.Not or Kind.Word or Kind.Prefix or Kind.Phrase or Kind.Regex or Kind.Headline or Kind.Source;

        private T At<T>(T node, int position)
            where T : QueryNode
        {
            Positions.TryAdd(node, position);
            return node;
        }

        public QueryNode ParseOr()
        {
            var start = Peek.Position;
            var operands = new List<QueryNode> { ParseAnd() };
            while (Peek.Kind == Kind.Or)
            {
                var or = Next();
                if (!StartsTerm(Peek.Kind))
                {
                    throw new QuerySyntaxException(or.Text == "," ? "dangling ','" : "dangling OR", or.Position);
                }

                operands.Add(ParseAnd());
            }

            if (operands.Count == 1)
            {
                return operands[0];
            }

            return At(new OrNode(operands.SelectMany<QueryNode, QueryNode>(o => o is OrNode inner ? inner.Operands : [o]).ToArray()), start);
        }

        private QueryNode ParseAnd()
        {
            var start = Peek.Position;
            var operands = new List<QueryNode>();
            while (true)
            {
                var next = Peek;
                if (next.Kind == Kind.And)
                {
                    Next();
                    if (operands.Count == 0 || !StartsTerm(Peek.Kind))
                    {
                        throw new QuerySyntaxException("dangling AND", next.Position);
                    }

                    continue;
                }

                if (!StartsTerm(next.Kind))
                {
                    break;
                }

                operands.Add(ParseUnary());
            }

            if (operands.Count == 0)
            {
                var next = Peek;
                throw next.Kind switch
                {
                    Kind.Or => new QuerySyntaxException(next.Text == "," ? "dangling ','" : "dangling OR", next.Position),
                    Kind.RParen => new QuerySyntaxException("unbalanced parenthesis", next.Position),
                    _ => new QuerySyntaxException("empty query", next.Position),
                };
            }

            if (operands.Count == 1)
            {
                return operands[0];
            }

            return At(new AndNode(operands.SelectMany<QueryNode, QueryNode>(o => o is AndNode inner ? inner.Operands : [o]).ToArray()), start);
        }

        private QueryNode ParseUnary()
        {
            var token = Peek;
            switch (token.Kind)
            {
                case Kind.Not:
                    Next();
                    if (!StartsTerm(Peek.Kind))
                    {
                        throw new QuerySyntaxException(token.Text == "-" ? "'-' must be followed by a term" : "dangling NOT", token.Position);
                    }

                    return At(new NotNode(ParseUnary()), token.Position);
                case Kind.Headline:
                    Next();
                    if (Peek.Kind is not (Kind.Word or Kind.Prefix or Kind.Phrase or Kind.Regex or Kind.LParen or Kind.Headline))
                    {
                        throw new QuerySyntaxException("'headline:' must be followed by a word, phrase, regex or parenthesised group", token.Position);
                    }

                    return ToHeadline(ParseUnary());
                case Kind.Source:
                    Next();
                    return Term(new SourceNode(token.Text), token.Position);
                default:
                    return ParseAtom();
            }
        }

        private QueryNode ParseAtom()
        {
            var token = Next();
            switch (token.Kind)
            {
                case Kind.LParen:
                {
                    if (Peek.Kind == Kind.RParen)
                    {
                        throw new QuerySyntaxException("empty parentheses", token.Position);
                    }

                    var inner = ParseOr();
                    if (Peek.Kind != Kind.RParen)
                    {
                        throw new QuerySyntaxException("unbalanced parenthesis", token.Position);
                    }

                    Next();
                    return inner;
                }

                case Kind.Word:
                    return Term(new WordNode(token.Text), token.Position);
                case Kind.Prefix:
                    return Term(new PrefixNode(token.Text), token.Position);
                case Kind.Phrase:
                    return Term(new PhraseNode(token.Text), token.Position);
                case Kind.Regex:
                    var cost = RegexCost.Of(token.Text);
                    regexSize += cost.Size;
                    regexLoops += cost.Loops;
                    if (regexSize > options.MaxRegexSize)
                    {
                        throw new QuerySyntaxException(
                            $"regexes too costly: together their automata have about {regexSize} states, over the limit of {options.MaxRegexSize} (they cannot be matched cheaply)", token.Position);
                    }

                    if (regexLoops > options.MaxRegexLoops)
                    {
                        throw new QuerySyntaxException(
                            $"regexes too costly: together they have {regexLoops} variable repetitions (*, +, ?, {{n,m}}) once their counts are unrolled, over the limit of {options.MaxRegexLoops} (they cannot be matched cheaply)", token.Position);
                    }

                    return Term(new RegexNode(token.Text), token.Position);
                default:
                    throw new QuerySyntaxException($"unexpected '{token.Text}'", token.Position);
            }
        }

        private QueryNode Term(QueryNode node, int position)
        {
            if (++terms > options.MaxTerms)
            {
                throw new QuerySyntaxException($"more than {options.MaxTerms} terms", position);
            }

            return At(node, position);
        }

        private QueryNode ToHeadline(QueryNode node)
        {
            var position = Positions.TryGetValue(node, out var p) ? p : 0;
            QueryNode result = node switch
            {
                WordNode w => w with { HeadlineOnly = true },
                PrefixNode x => x with { HeadlineOnly = true },
                PhraseNode x => x with { HeadlineOnly = true },
                RegexNode x => x with { HeadlineOnly = true },
                NotNode n => new NotNode(ToHeadline(n.Operand)),
                AndNode a => new AndNode(a.Operands.Select(ToHeadline).ToArray()),
                OrNode o => new OrNode(o.Operands.Select(ToHeadline).ToArray()),
                _ => node,
            };
            return At(result, position);
        }
    }
}
