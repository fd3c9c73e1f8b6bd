using System.Text.RegularExpressions;

namespace Alerts.Core.Matching;

/// <summary>
/// Counts regex terms that ran out of time, or were skipped because their query had spent its budget on the item;
/// such a term counts as no match (no query may slow others).
/// </summary>
public sealed class RegexTimeoutCounter
{
    private long count;

    public long Count => Interlocked.Read(ref count);

    /// <summary>
    /// Called once per such term with the pattern and whether it was skipped (its query had spent the item's budget
    /// before it ran) rather than stopped by its own timeout, for logging.
    /// </summary>
    public event Action<string, bool>? TimedOut;

    internal void Record(string pattern, bool skipped)
    {
        Interlocked.Increment(ref count);
        TimedOut?.Invoke(pattern, skipped);
    }
}

/// <summary>What the index may look up to find a query: a word key, or a folded prefix.</summary>
internal readonly record struct Anchor(bool IsPrefix, string Value);

/// <summary>A query tree bound to a normalizer: keys computed, regexes built. Evaluated against an <see cref="AnalyzedItem"/>.</summary>
public abstract class CompiledQuery
{
    /// <summary>Does the item match?</summary>
    public abstract bool Matches(AnalyzedItem item);

    /// <summary>Adds where the positive terms that matched stand (NOT terms contribute nothing).</summary>
    internal abstract void CollectHits(AnalyzedItem item, List<Hit> hits);

    /// <summary>A set of anchors of which at least one is present in every matching item; null when there is none.</summary>
    internal abstract Anchor[]? Anchors();

    /// <summary>
    /// Binds a parsed query to <paramref name="normalizer"/> (and so to its aliases). <paramref name="intern"/> lets the
    /// index share equal key strings across subscriptions.
    /// </summary>
    public static CompiledQuery Compile(QueryNode node, TextNormalizer normalizer, QueryOptions? options = null, RegexTimeoutCounter? timeouts = null, Func<string, string>? intern = null)
    {
        options ??= QueryOptions.Default;
        intern ??= static s => s;
        return Build(node);

        CompiledQuery Build(QueryNode n)
        {
            switch (n)
            {
                case WordNode w:
                {
                    var tokens = normalizer.Tokenize(w.Text);
                    if (tokens.Count == 1)
                    {
                        return CompiledWord.Create(intern(tokens[0].Key), w.HeadlineOnly);
                    }

                    if (tokens[0].IsCompoundWhole && tokens[0].Start == 0 && tokens[0].Length == w.Text.Length && !tokens.Skip(1).Any(t => t.IsCompoundWhole))
                    {
                        // A hyphenated word matches its closed form (Natogipfel) and its parts in a row (F-16-Kampfjets).
                        return new CompiledOr2(CompiledWord.Create(intern(tokens[0].Key), w.HeadlineOnly), Phrase(tokens, w.HeadlineOnly));
                    }

                    return Phrase(tokens, w.HeadlineOnly);
                }

                case PhraseNode p:
                    return Phrase(normalizer.Tokenize(p.Text), p.HeadlineOnly);
                case PrefixNode x:
                {
                    var tokens = normalizer.Tokenize(x.Text);
                    return CompiledPrefix.Create(intern(tokens[0].Folded), x.HeadlineOnly);
                }

                case RegexNode r:
                    return new CompiledRegex(options.Regexes.Get(r.Pattern, QueryParser.RegexFlags, options.RegexTimeout), r.HeadlineOnly, timeouts);
                case SourceNode s:
                    return new CompiledSource(s.SourceId);
                case NotNode not:
                    return new CompiledNot(Build(not.Operand));
                case AndNode and:
                    return and.Operands.Count == 2
                        ? new CompiledAnd2(Build(and.Operands[0]), Build(and.Operands[1]))
                        : new CompiledAnd(and.Operands.Select(Build).ToArray());
                case OrNode or:
                    return or.Operands.Count == 2
                        ? new CompiledOr2(Build(or.Operands[0]), Build(or.Operands[1]))
                        : new CompiledOr(or.Operands.Select(Build).ToArray());
                default:
                    throw new ArgumentException($"unknown query node {n.GetType().Name}", nameof(node));
            }
        }

        CompiledQuery Phrase(List<TextToken> tokens, bool headlineOnly)
        {
            // Phrases compare the parts of hyphenated compounds, so "Nato Gipfel" finds "Nato-Gipfel".
            var keys = tokens.Where(t => !t.IsCompoundWhole).Select(t => intern(t.Key)).ToArray();
            return keys.Length == 1 ? CompiledWord.Create(keys[0], headlineOnly) : CompiledPhrase.Create(keys, headlineOnly);
        }
    }

    internal static int Score(Anchor[] anchors)
    {
        // Fewer anchors mean fewer postings to sit in; longer words are rarer; a word is cheaper to look up than a prefix.
        var score = 0;
        foreach (var a in anchors)
        {
            score += a.Value.Length + (a.IsPrefix ? 0 : 2);
        }

        return score / anchors.Length - (anchors.Length * 100);
    }
}

internal class CompiledWord(string key) : CompiledQuery
{
    // The headline flag is a subclass rather than a field: one field fewer per term of a million queries.
    protected virtual bool HeadlineOnly => false;

    public static CompiledWord Create(string key, bool headlineOnly) => headlineOnly ? new HeadlineWord(key) : new CompiledWord(key);

    private sealed class HeadlineWord(string key) : CompiledWord(key)
    {
        protected override bool HeadlineOnly => true;
    }

    public string Key { get; } = key;

    public override bool Matches(AnalyzedItem item)
    {
        var i = item.FirstWithKey(Key);
        return HeadlineOnly ? i >= 0 && i < item.HeadlineCount : i >= 0;
    }

    internal override void CollectHits(AnalyzedItem item, List<Hit> hits)
    {
        for (var i = item.FirstWithKey(Key); i >= 0; i = item.NextWithSameKey(i))
        {
            if (HeadlineOnly && i >= item.HeadlineCount)
            {
                break;
            }

            hits.Add(HitOf(item, i));
        }
    }

    internal static Hit HitOf(AnalyzedItem item, int i)
    {
        var t = item.TokenArray[i];
        return new Hit(i < item.HeadlineCount ? 0 : 1, t.Start, t.Length, i);
    }

    internal override Anchor[] Anchors() => [new Anchor(false, Key)];
}

internal class CompiledPhrase(string[] keys) : CompiledQuery
{
    // The headline flag is a subclass rather than a field: one field fewer per term of a million queries.
    protected virtual bool HeadlineOnly => false;

    public static CompiledPhrase Create(string[] keys, bool headlineOnly) => headlineOnly ? new HeadlinePhrase(keys) : new CompiledPhrase(keys);

    private sealed class HeadlinePhrase(string[] keys) : CompiledPhrase(keys)
    {
        protected override bool HeadlineOnly => true;
    }

    public override bool Matches(AnalyzedItem item)
    {
        for (var i = item.FirstWithKey(keys[0]); i >= 0; i = item.NextWithSameKey(i))
        {
            if (HeadlineOnly && i >= item.HeadlineCount)
            {
                return false;
            }

            if (RestFollows(item, i))
            {
                return true;
            }
        }

        return false;
    }

    private bool RestFollows(AnalyzedItem item, int first)
    {
        var position = item.TokenArray[first].Position;
        for (var k = 1; k < keys.Length; k++)
        {
            if (item.TokenAt(position + k, keys[k]) < 0)
            {
                return false;
            }
        }

        return true;
    }

    internal override void CollectHits(AnalyzedItem item, List<Hit> hits)
    {
        for (var i = item.FirstWithKey(keys[0]); i >= 0; i = item.NextWithSameKey(i))
        {
            if (HeadlineOnly && i >= item.HeadlineCount)
            {
                break;
            }

            if (!RestFollows(item, i))
            {
                continue;
            }

            hits.Add(CompiledWord.HitOf(item, i));
            var position = item.TokenArray[i].Position;
            for (var k = 1; k < keys.Length; k++)
            {
                hits.Add(CompiledWord.HitOf(item, item.TokenAt(position + k, keys[k])));
            }
        }
    }

    internal override Anchor[] Anchors()
    {
        var longest = keys[0];
        foreach (var k in keys)
        {
            if (k.Length > longest.Length)
            {
                longest = k;
            }
        }

        return [new Anchor(false, longest)];
    }
}

internal class CompiledPrefix(string prefix) : CompiledQuery
{
    // The headline flag is a subclass rather than a field: one field fewer per term of a million queries.
    protected virtual bool HeadlineOnly => false;

    public static CompiledPrefix Create(string prefix, bool headlineOnly) => headlineOnly ? new HeadlinePrefix(prefix) : new CompiledPrefix(prefix);

    private sealed class HeadlinePrefix(string prefix) : CompiledPrefix(prefix)
    {
        protected override bool HeadlineOnly => true;
    }

    public override bool Matches(AnalyzedItem item)
    {
        var tokens = item.TokenArray;
        for (var i = item.FirstWithInitial(prefix); i >= 0; i = item.NextWithSameInitial(i))
        {
            if (HeadlineOnly && i >= item.HeadlineCount)
            {
                return false;
            }

            if (StartsWithPrefix(tokens[i].Folded))
            {
                return true;
            }
        }

        return false;
    }

    internal override void CollectHits(AnalyzedItem item, List<Hit> hits)
    {
        var tokens = item.TokenArray;
        for (var i = item.FirstWithInitial(prefix); i >= 0; i = item.NextWithSameInitial(i))
        {
            if (HeadlineOnly && i >= item.HeadlineCount)
            {
                break;
            }

            if (StartsWithPrefix(tokens[i].Folded))
            {
                hits.Add(CompiledWord.HitOf(item, i));
            }
        }
    }

    // A token chain shares the first character only for ASCII; the comparison decides.
    private bool StartsWithPrefix(string folded) =>
        folded.Length >= prefix.Length && folded.AsSpan().StartsWith(prefix.AsSpan());

    internal override Anchor[] Anchors() => [new Anchor(true, prefix)];
}

internal sealed class CompiledRegex(CachedRegex regex, bool headlineOnly, RegexTimeoutCounter? timeouts) : CompiledQuery
{
    public override bool Matches(AnalyzedItem item)
    {
        if (item.BudgetSpent)
        {
            timeouts?.Record(regex.Pattern, skipped: true);
            return false;
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            return regex.IsMatch(item.Item.Headline) || (!headlineOnly && regex.IsMatch(item.Item.Body));
        }
        catch (RegexMatchTimeoutException)
        {
            timeouts?.Record(regex.Pattern, skipped: false);
            return false;
        }
        finally
        {
            item.Charge(System.Diagnostics.Stopwatch.GetTimestamp() - started);
        }
    }

    internal override void CollectHits(AnalyzedItem item, List<Hit> hits)
    {
        // Already matched: the highlights are worth one more pass even when that pass goes over the budget.
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            regex.AddMatches(item.Item.Headline, 0, hits);
            if (!headlineOnly)
            {
                regex.AddMatches(item.Item.Body, 1, hits);
            }
        }
        catch (RegexMatchTimeoutException)
        {
            timeouts?.Record(regex.Pattern, skipped: false);
        }
        finally
        {
            item.Charge(System.Diagnostics.Stopwatch.GetTimestamp() - started);
        }
    }

    internal override Anchor[]? Anchors() => null;
}

internal sealed class CompiledSource(string sourceId) : CompiledQuery
{
    public override bool Matches(AnalyzedItem item) => string.Equals(item.Item.SourceId, sourceId, StringComparison.OrdinalIgnoreCase);

    internal override void CollectHits(AnalyzedItem item, List<Hit> hits)
    {
    }

    internal override Anchor[]? Anchors() => null;
}

internal sealed class CompiledNot(CompiledQuery operand) : CompiledQuery
{
    public override bool Matches(AnalyzedItem item) => !operand.Matches(item);

    internal override void CollectHits(AnalyzedItem item, List<Hit> hits)
    {
    }

    internal override Anchor[]? Anchors() => null;
}

internal sealed class CompiledAnd(CompiledQuery[] operands) : CompiledQuery
{
    public override bool Matches(AnalyzedItem item)
    {
        foreach (var o in operands)
        {
            if (!o.Matches(item))
            {
                return false;
            }
        }

        return true;
    }

    internal override void CollectHits(AnalyzedItem item, List<Hit> hits)
    {
        foreach (var o in operands)
        {
            o.CollectHits(item, hits);
        }
    }

    internal override Anchor[]? Anchors()
    {
        Anchor[]? best = null;
        foreach (var o in operands)
        {
            var a = o.Anchors();
            if (a is not null && (best is null || Score(a) > Score(best)))
            {
                best = a;
            }
        }

        return best;
    }
}

internal sealed class CompiledOr(CompiledQuery[] operands) : CompiledQuery
{
    public override bool Matches(AnalyzedItem item)
    {
        foreach (var o in operands)
        {
            if (o.Matches(item))
            {
                return true;
            }
        }

        return false;
    }

    internal override void CollectHits(AnalyzedItem item, List<Hit> hits)
    {
        foreach (var o in operands)
        {
            if (o.Matches(item))
            {
                o.CollectHits(item, hits);
            }
        }
    }

    internal override Anchor[]? Anchors()
    {
        var all = new List<Anchor>();
        foreach (var o in operands)
        {
            var a = o.Anchors();
            if (a is null)
            {
                return null;
            }

            all.AddRange(a);
        }

        return [.. all.Distinct()];
    }
}

/// <summary>An AND of two operands (the most common shape) without an operand array: 32 bytes less per query.</summary>
internal sealed class CompiledAnd2(CompiledQuery left, CompiledQuery right) : CompiledQuery
{
    public override bool Matches(AnalyzedItem item) => left.Matches(item) && right.Matches(item);

    internal override void CollectHits(AnalyzedItem item, List<Hit> hits)
    {
        left.CollectHits(item, hits);
        right.CollectHits(item, hits);
    }

    internal override Anchor[]? Anchors()
    {
        var a = left.Anchors();
        var b = right.Anchors();
        return a is null ? b : b is null ? a : Score(b) > Score(a) ? b : a;
    }
}

/// <summary>An OR of two operands without an operand array.</summary>
internal sealed class CompiledOr2(CompiledQuery left, CompiledQuery right) : CompiledQuery
{
    public override bool Matches(AnalyzedItem item) => left.Matches(item) || right.Matches(item);

    internal override void CollectHits(AnalyzedItem item, List<Hit> hits)
    {
        if (left.Matches(item))
        {
            left.CollectHits(item, hits);
        }

        if (right.Matches(item))
        {
            right.CollectHits(item, hits);
        }
    }

    internal override Anchor[]? Anchors()
    {
        var a = left.Anchors();
        var b = right.Anchors();
        return a is null || b is null ? null : [.. a.Concat(b).Distinct()];
    }
}
