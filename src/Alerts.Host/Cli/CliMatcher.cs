using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;

namespace Alerts.Host.Cli;

/// <summary>The service's own matcher for the CLI verbs, with the operator's <c>config/aliases.json</c> when there is one.</summary>
internal static class CliMatcher
{
    public static MatcherIndex Create(IEnumerable<(string SubscriberId, string Query, string? SourceId)> subscriptions)
    {
        AliasTable aliases;
        try
        {
            aliases = ConfigFiles.FindAliases() is { } path ? AliasTable.Load(path) : AliasTable.Empty;
        }
        catch (Exception e) when (e is IOException or FormatException or System.Text.Json.JsonException)
        {
            throw new CliUsageException($"config/aliases.json: {e.Message}");
        }

        var index = new MatcherIndex(aliases);
        var id = 0L;
        foreach (var (subscriberId, query, sourceId) in subscriptions)
        {
            try
            {
                index.Add(new Subscription(++id, subscriberId, query, sourceId, DateTimeOffset.UnixEpoch));
            }
            catch (QuerySyntaxException e)
            {
                throw new CliUsageException($"invalid query '{query}': {e.Message}");
            }
        }

        return index;
    }
}
