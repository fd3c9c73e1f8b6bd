using Alerts.Core.Tickers;

namespace Alerts.Core.Matching;

/// <summary>
/// An item tokenized once for all subscriptions: headline and body tokens (headline first, with a position gap so
/// that no phrase spans both), a key → occurrences chain and a position → tokens table for phrases.
/// </summary>
public sealed class AnalyzedItem
{
    private readonly Dictionary<string, int> firstByKey;
    private readonly int[] nextSameKey;
    private readonly int[] positionStart;

    // Tokens chained by the first character of their folded form (ASCII each its own chain, all others one chain), so
    // that a prefix term looks at the few tokens that can start with it rather than at every token.
    private readonly int[] firstByInitial = new int[InitialChains];
    private readonly int[] nextSameInitial;
    private const int InitialChains = 129;

    private AnalyzedItem(TickerItem item, TextToken[] tokens, int headlineCount, Dictionary<string, int> firstByKey, int[] nextSameKey, int[] positionStart)
    {
        Item = item;
        Tokens = tokens;
        HeadlineCount = headlineCount;
        this.firstByKey = firstByKey;
        this.nextSameKey = nextSameKey;
        this.positionStart = positionStart;
        nextSameInitial = new int[tokens.Length];
        Array.Fill(firstByInitial, -1);
        for (var i = tokens.Length - 1; i >= 0; i--)
        {
            // Walking backwards makes each chain ascend, so headline tokens come first.
            var chain = ChainOf(tokens[i].Folded);
            nextSameInitial[i] = firstByInitial[chain];
            firstByInitial[chain] = i;
        }
    }

    private static int ChainOf(string folded) => folded.Length > 0 && folded[0] < 128 ? folded[0] : 128;

    /// <summary>First token whose folded form may start with <paramref name="prefix"/> (same first character, or the chain of all non-ASCII ones), or -1; continue with <see cref="NextWithSameInitial"/>.</summary>
    internal int FirstWithInitial(string prefix) => firstByInitial[ChainOf(prefix)];

    internal int NextWithSameInitial(int tokenIndex) => nextSameInitial[tokenIndex];

    public TickerItem Item { get; }

    // What the regex terms of the query being evaluated may still spend on this item, in Stopwatch ticks.
    // Unlimited until a matcher starts a budget; one item is evaluated on one thread.
    private long budgetLeft = long.MaxValue;

    /// <summary>Starts the matching budget of one query on this item (SPEC §3: an enforced budget per item and subscriber).</summary>
    internal void StartBudget(TimeSpan budget) => budgetLeft = (long)(budget.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);

    internal bool BudgetSpent => budgetLeft <= 0;

    internal void Charge(long elapsedTicks) => budgetLeft -= elapsedTicks;

    /// <summary>Headline tokens (indexes below <see cref="HeadlineCount"/>) then body tokens, in position order.</summary>
    public IReadOnlyList<TextToken> Tokens { get; }

    public int HeadlineCount { get; }

    /// <summary>Distinct keys of the item (each once), for the index's posting lookups.</summary>
    public IEnumerable<string> Keys => firstByKey.Keys;

    internal TextToken[] TokenArray => (TextToken[])Tokens;

    [ThreadStatic]
    private static List<TextToken>? t_buffer;

    public static AnalyzedItem Create(TickerItem item, TextNormalizer normalizer)
    {
        // The token list is a per-thread buffer: growing a fresh list to a few hundred 40-byte tokens allocated more
        // than everything else the item needs; only the exact-size array is kept.
        var list = t_buffer ?? new List<TextToken>(256);
        t_buffer = null;
        list.Clear();
        var next = normalizer.Tokenize(item.Headline, 0, list);
        var headlineCount = list.Count;
        var last = normalizer.Tokenize(item.Body, next + 1, list);
        var tokens = list.ToArray();
        list.Clear();
        if (list.Capacity <= 4096)
        {
            t_buffer = list;
        }

        var firstByKey = new Dictionary<string, int>(tokens.Length, StringComparer.Ordinal);
        var nextSameKey = new int[tokens.Length];
        for (var i = tokens.Length - 1; i >= 0; i--)
        {
            // Walking backwards makes each chain ascend, so occurrences come in text order.
            nextSameKey[i] = firstByKey.TryGetValue(tokens[i].Key, out var following) ? following : -1;
            firstByKey[tokens[i].Key] = i;
        }

        var positionStart = new int[last + 1];
        Array.Fill(positionStart, -1);
        for (var i = tokens.Length - 1; i >= 0; i--)
        {
            positionStart[tokens[i].Position] = i;
        }

        return new AnalyzedItem(item, tokens, headlineCount, firstByKey, nextSameKey, positionStart);
    }

    /// <summary>First token with this key, or -1; continue with <see cref="NextWithSameKey"/>.</summary>
    internal int FirstWithKey(string key) => firstByKey.TryGetValue(key, out var i) ? i : -1;

    internal int NextWithSameKey(int tokenIndex) => nextSameKey[tokenIndex];

    internal bool HasKey(string key) => firstByKey.ContainsKey(key);

    /// <summary>Does a token at <paramref name="position"/> carry <paramref name="key"/>?</summary>
    internal int TokenAt(int position, string key)
    {
        if ((uint)position >= (uint)positionStart.Length)
        {
            return -1;
        }

        var tokens = TokenArray;
        for (var i = positionStart[position]; i >= 0 && i < tokens.Length && tokens[i].Position == position; i++)
        {
            if (string.Equals(tokens[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private string?[]? texts;

    /// <summary>The item's text of a token as it appears in the headline or body, cut once per item (one item is matched on one thread).</summary>
    internal string TextOf(int tokenIndex)
    {
        texts ??= new string?[TokenArray.Length];
        if (texts[tokenIndex] is { } cached)
        {
            return cached;
        }

        var t = TokenArray[tokenIndex];
        var source = tokenIndex < HeadlineCount ? Item.Headline : Item.Body;
        return texts[tokenIndex] = source.Substring(t.Start, t.Length);
    }
}

/// <summary>Where a matched word stands: field 0 = headline, 1 = body; start and length in that field's text.</summary>
/// <param name="Token">The token's index when the hit is a token (its text is then cached), or -1 (regex hits).</param>
internal readonly record struct Hit(int Field, int Start, int Length, int Token = -1);
