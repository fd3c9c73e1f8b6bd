namespace Alerts.Core.Matching;

/// <summary>
/// What a user regex costs the NonBacktracking engine, read from the pattern text before it is ever run.
/// </summary>
/// <remarks>
/// NonBacktracking is linear in the input, but its factor is the size of the automaton, and it unrolls a counted
/// repetition into that many copies: <c>(\w*\s*){200}q</c> becomes about 400 overlapping loops, which cost up to
/// half a second an item and hundreds of megabytes of cached states (issue 13). The engine's own parse tree is
/// internal, so this walks the .NET syntax itself: <see cref="Size"/> counts the character positions after
/// unrolling (a loop counts once, <c>{n,m}</c> multiplies by m), <see cref="MinLength"/> is the shortest text a
/// match can have, <see cref="LargestRepetition"/> the largest bound of any <c>{n,m}</c>, <see cref="Loops"/> the
/// variable repetitions after unrolling: each <c>*</c>, <c>+</c>, <c>?</c>, <c>{n,}</c> and each optional copy of
/// <c>{n,m}</c>. They are what the time goes into: each is a choice the automaton keeps open at every position, so on an 800-character item <c>(\w+\s*){8}q</c> (16 loops) costs 2 ms for its first
/// evaluation, <c>{12}</c> 7 ms and <c>{20}</c> more than the 50 ms timeout (docs/matching.md). The pattern has already
/// been accepted by <c>new Regex(…)</c>, so the walk can be forgiving about syntax.
/// </remarks>
public readonly record struct RegexCost(long Size, long MinLength, long LargestRepetition, long Loops)
{
    public static RegexCost Of(string pattern)
    {
        var walker = new Walker(pattern);
        var (size, min, loops) = walker.Alternation();
        return new RegexCost(size, min, walker.LargestRepetition, loops);
    }

    private sealed class Walker(string p)
    {
        // Anything beyond this is refused anyway; the cap keeps the arithmetic away from overflow.
        private const long Cap = 1_000_000_000;
        private int i;

        public long LargestRepetition { get; private set; }

        public (long Size, long Min, long Loops) Alternation()
        {
            var (size, min, loops) = Sequence();
            while (i < p.Length && p[i] == '|')
            {
                i++;
                var (s, m, l) = Sequence();
                size = Math.Min(Cap, size + s);
                min = Math.Min(min, m);
                loops = Math.Min(Cap, loops + l);
            }

            return (size, min, loops);
        }

        private (long Size, long Min, long Loops) Sequence()
        {
            long size = 0, min = 0, loops = 0;
            while (i < p.Length && p[i] is not ('|' or ')'))
            {
                var (s, m, l) = Atom();
                (s, m, l) = Quantified(s, m, l);
                size = Math.Min(Cap, size + s);
                min = Math.Min(Cap, min + m);
                loops = Math.Min(Cap, loops + l);
            }

            return (size, min, loops);
        }

        private (long Size, long Min, long Loops) Atom()
        {
            var c = p[i++];
            switch (c)
            {
                case '(':
                    return Group();
                case '[':
                    SkipClass();
                    return (1, 1, 0);
                case '\\':
                    return Escape();
                case '^' or '$':
                    return (0, 0, 0);
                default:
                    return (1, 1, 0);
            }
        }

        private (long Size, long Min, long Loops) Group()
        {
            if (i < p.Length && p[i] == '?')
            {
                // (?:…), (?<name>…), (?'name'…), (?i:…) or an inline option switch such as (?s) that matches nothing.
                var j = i + 1;
                if (j < p.Length && p[j] is '<' or '\'')
                {
                    var close = p[j] == '<' ? '>' : '\'';
                    j = p.IndexOf(close, j + 1);
                    i = j < 0 ? p.Length : j + 1;
                }
                else
                {
                    while (j < p.Length && (char.IsLetter(p[j]) || p[j] == '-'))
                    {
                        j++;
                    }

                    if (j < p.Length && p[j] == ')')
                    {
                        i = j + 1;
                        return (0, 0, 0);
                    }

                    i = j < p.Length && p[j] == ':' ? j + 1 : j;
                }
            }

            var inner = Alternation();
            if (i < p.Length && p[i] == ')')
            {
                i++;
            }

            return inner;
        }

        private void SkipClass()
        {
            // ']' right after '[' or '[^' is a literal; "-[…]" is a subtraction, nested.
            if (i < p.Length && p[i] == '^')
            {
                i++;
            }

            if (i < p.Length && p[i] == ']')
            {
                i++;
            }

            while (i < p.Length && p[i] != ']')
            {
                if (p[i] == '\\')
                {
                    i += 2;
                }
                else if (p[i] == '[')
                {
                    i++;
                    SkipClass();
                }
                else
                {
                    i++;
                }
            }

            i++;
        }

        private (long Size, long Min, long Loops) Escape()
        {
            if (i >= p.Length)
            {
                return (1, 1, 0);
            }

            var c = p[i++];
            switch (c)
            {
                case 'b' or 'B' or 'A' or 'z' or 'Z' or 'G':
                    return (0, 0, 0);
                case 'p' or 'P' when i < p.Length && p[i] == '{':
                    var close = p.IndexOf('}', i);
                    i = close < 0 ? p.Length : close + 1;
                    return (1, 1, 0);
                case 'u':
                    i = Math.Min(p.Length, i + 4);
                    return (1, 1, 0);
                case 'x':
                    i = Math.Min(p.Length, i + 2);
                    return (1, 1, 0);
                case 'c':
                    i = Math.Min(p.Length, i + 1);
                    return (1, 1, 0);
                default:
                    return (1, 1, 0);
            }
        }

        private (long Size, long Min, long Loops) Quantified(long size, long min, long loops)
        {
            while (i < p.Length)
            {
                switch (p[i])
                {
                    case '*':
                        i++;
                        min = 0;
                        loops = Math.Min(Cap, loops + 1);
                        break;
                    case '+':
                        i++;
                        loops = Math.Min(Cap, loops + 1);
                        break;
                    case '?':
                        i++;
                        min = 0;
                        loops = Math.Min(Cap, loops + 1);
                        break;
                    case '{' when TryCount(out var low, out var high):
                        LargestRepetition = Math.Max(LargestRepetition, Math.Max(low, high));

                        // {n,} is unrolled to n copies plus a loop; {n,m} to m copies.
                        var copies = Math.Max(1, high < 0 ? low + 1 : Math.Max(low, high));
                        size = Math.Min(Cap, size * copies);
                        loops = Math.Min(Cap, (loops * copies) + (high < 0 ? 1 : copies - low));
                        min = Math.Min(Cap, min * low);
                        break;
                    default:
                        return (size, min, loops);
                }

                // A lazy '?' after a quantifier changes nothing here.
                if (i < p.Length && p[i] == '?')
                {
                    i++;
                }
            }

            return (size, min, loops);
        }

        /// <summary>Reads <c>{n}</c>, <c>{n,}</c> or <c>{n,m}</c>; anything else leaves '{' a literal character.</summary>
        private bool TryCount(out long low, out long high)
        {
            low = 0;
            high = 0;
            var j = i + 1;
            var start = j;
            while (j < p.Length && char.IsAsciiDigit(p[j]))
            {
                j++;
            }

            if (j == start || j >= p.Length || !long.TryParse(p.AsSpan(start, Math.Min(j - start, 12)), out low))
            {
                return false;
            }

            if (p[j] == '}')
            {
                high = low;
                i = j + 1;
                return true;
            }

            if (p[j] != ',')
            {
                return false;
            }

            var second = ++j;
            while (j < p.Length && char.IsAsciiDigit(p[j]))
            {
                j++;
            }

            if (j >= p.Length || p[j] != '}')
            {
                return false;
            }

            high = j == second ? -1 : long.TryParse(p.AsSpan(second, Math.Min(j - second, 12)), out var h) ? h : Cap;
            i = j + 1;
            return true;
        }
    }
}
