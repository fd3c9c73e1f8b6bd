using System.Runtime.InteropServices;
using Alerts.Core.Tickers;

namespace Alerts.Core.Matching;

/// <summary>One query over single items, for <c>check --query</c>, <c>/preview</c> and tests.</summary>
public sealed class SingleQueryMatcher
{
    private readonly CompiledQuery query;
    private readonly TextNormalizer normalizer;
    private readonly TimeSpan itemBudget;

    /// <exception cref="QuerySyntaxException">The query does not parse.</exception>
    public SingleQueryMatcher(string query, AliasTable? aliases = null, QueryOptions? options = null, RegexTimeoutCounter? timeouts = null)
    {
        Tree = QueryParser.Parse(query, options);
        normalizer = aliases is null ? TextNormalizer.Default : new TextNormalizer(aliases);
        this.query = CompiledQuery.Compile(Tree, normalizer, options, timeouts);
        itemBudget = (options ?? QueryOptions.Default).ItemBudget;
    }

    public QueryNode Tree { get; }

    /// <summary>The matched words (as they appear in the item, in order, each once), or null when the item does not match.</summary>
    public IReadOnlyList<string>? Match(TickerItem item) => Match(AnalyzedItem.Create(item, normalizer));

    public IReadOnlyList<string>? Match(AnalyzedItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        item.StartBudget(itemBudget);
        if (!query.Matches(item))
        {
            return null;
        }

        var hits = new List<Hit>();
        query.CollectHits(item, hits);
        return MatchAccumulator.Words(item, CollectionsMarshal.AsSpan(hits));
    }
}
