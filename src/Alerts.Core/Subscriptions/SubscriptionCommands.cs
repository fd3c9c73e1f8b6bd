using System.Globalization;
using System.Text;
using Alerts.Core.Diffing;
using Alerts.Core.Matching;
using Alerts.Core.Tickers;

namespace Alerts.Core.Subscriptions;

/// <summary>Limits of the chat commands (SPEC §3, §11 <c>Alerts:Limits</c>).</summary>
public sealed class SubscriptionLimits
{
    public const string SectionName = "Alerts:Limits";

    public int MaxSubscriptionsPerSubscriber { get; set; } = 50;

    public int MaxQueryLength { get; set; } = 256;

    public int MaxQueryTerms { get; set; } = 32;

    /// <summary>How many recent items of each source <c>/preview</c> looks at.</summary>
    public int PreviewItemsPerSource { get; set; } = 50;

    /// <summary>How many matches <c>/preview</c> lists.</summary>
    public int PreviewMaxMatches { get; set; } = 5;

    public QueryOptions ToQueryOptions() => new() { MaxLength = MaxQueryLength, MaxTerms = MaxQueryTerms };
}

/// <summary>
/// The chat commands of SPEC §5 over the subscription store. Queries are saved in their canonical form (the
/// parser's printout), which is what <c>/list</c> shows and what duplicates are compared by. The matcher index is
/// not touched here: every instance follows the store's change feed.
/// </summary>
public sealed class SubscriptionCommands(
    ISubscriptionStore store,
    ITickerStateStore tickerState,
    IReadOnlyList<SourceDefinition> sources,
    SubscriptionLimits limits,
    TimeProvider time,
    Func<AliasTable>? aliases = null) : ISubscriptionCommands
{
    private readonly QueryOptions _queryOptions = limits.ToQueryOptions();

    public async Task<CommandReply> SubscribeAsync(Subscriber subscriber, string query, string? sourceId, CancellationToken cancellationToken = default)
    {
        query = (query ?? "").Trim();
        if (!TryParse(query, out var tree, out var error))
        {
            return error;
        }

        if (!TryResolveSources(tree, sourceId, out var source, out error))
        {
            return error;
        }

        var canonical = tree.ToString();
        await store.EnsureSubscriberAsync(subscriber, cancellationToken);
        var existing = await store.ListSubscriptionsAsync(subscriber.Id, cancellationToken);
        for (var i = 0; i < existing.Count; i++)
        {
            if (SameSource(existing[i].SourceId, source) && Canonical(existing[i].Query) == canonical)
            {
                return new CommandReply(false, $"You already have this subscription: #{i + 1}: {canonical} — source: {SourceLabel(source)}", [canonical]);
            }
        }

        if (existing.Count >= limits.MaxSubscriptionsPerSubscriber)
        {
            return CommandReply.Error(
                $"You have reached the limit of {limits.MaxSubscriptionsPerSubscriber} subscriptions. Remove one (unsubscribe with its number from the list) before adding another.");
        }

        await store.AddSubscriptionAsync(subscriber.Id, canonical, source, time.GetUtcNow(), cancellationToken);
        var paused = await IsPausedAsync(subscriber, cancellationToken);
        var text = $"Subscribed #{existing.Count + 1}: {canonical} — source: {SourceLabel(source)}";
        if (paused)
        {
            text += "\nAlerts are paused for you; resume to receive them.";
        }

        return new CommandReply(true, text, [canonical]);
    }

    public async Task<CommandReply> UnsubscribeAsync(Subscriber subscriber, string numberOrQuery, CancellationToken cancellationToken = default)
    {
        var input = (numberOrQuery ?? "").Trim();
        if (input.Length == 0)
        {
            return CommandReply.Error("Tell me which subscription to remove: its number as the list shows it, or its query.");
        }

        var existing = await store.ListSubscriptionsAsync(subscriber.Id, cancellationToken);
        if (existing.Count == 0)
        {
            return CommandReply.Error("You have no subscriptions.");
        }

        int index;
        if (int.TryParse(input.TrimStart('#'), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            if (number < 1 || number > existing.Count)
            {
                return CommandReply.Error($"There is no subscription #{number}; you have {existing.Count}.\n{Numbered(existing)}");
            }

            index = number - 1;
        }
        else
        {
            var wanted = QueryParser.TryParse(input, _queryOptions, out var tree, out _) ? tree!.ToString() : input;
            index = -1;
            for (var i = 0; i < existing.Count && index < 0; i++)
            {
                if (existing[i].Query == input || Canonical(existing[i].Query) == wanted)
                {
                    index = i;
                }
            }

            if (index < 0)
            {
                return CommandReply.Error($"You have no subscription with the query \"{input}\".\n{Numbered(existing)}");
            }
        }

        var removed = existing[index];
        await store.RemoveSubscriptionAsync(removed.Id, cancellationToken);
        return new CommandReply(true, $"Unsubscribed #{index + 1}: {removed.Query} — source: {SourceLabel(removed.SourceId)}", [removed.Query]);
    }

    public async Task<CommandReply> ListAsync(Subscriber subscriber, CancellationToken cancellationToken = default)
    {
        var existing = await store.ListSubscriptionsAsync(subscriber.Id, cancellationToken);
        var paused = await IsPausedAsync(subscriber, cancellationToken);
        if (existing.Count == 0)
        {
            return CommandReply.Ok("You have no subscriptions yet. Subscribe to a word, for example: Drohne");
        }

        var text = $"Your subscriptions ({existing.Count} of {limits.MaxSubscriptionsPerSubscriber}):\n{Numbered(existing)}";
        if (paused)
        {
            text += "\nAlerts are paused; resume to receive them.";
        }

        return new CommandReply(true, text, existing.Select(s => s.Query).ToList());
    }

    public async Task<CommandReply> PreviewAsync(Subscriber subscriber, string query, string? sourceId, CancellationToken cancellationToken = default)
    {
        query = (query ?? "").Trim();
        if (!TryParse(query, out var tree, out var error))
        {
            return error;
        }

        if (!TryResolveSources(tree, sourceId, out var source, out error))
        {
            return error;
        }

        var matcher = new SingleQueryMatcher(tree.ToString(), aliases?.Invoke(), _queryOptions);
        var candidates = source is null ? sources : sources.Where(s => SameSource(s.Id, source)).ToList();
        var matches = new List<(SourceDefinition Source, TickerItem Item, IReadOnlyList<string> Words)>();
        var looked = 0;
        foreach (var definition in candidates)
        {
            var items = await tickerState.GetRecentItemsAsync(definition.Id, limits.PreviewItemsPerSource, cancellationToken);
            looked += items.Count;
            foreach (var item in items)
            {
                if (matcher.Match(item) is { } words)
                {
                    matches.Add((definition, item, words));
                }
            }
        }

        var canonical = tree.ToString();
        if (matches.Count == 0)
        {
            return CommandReply.Ok($"Preview of {canonical}: no match among the last {looked} items of {candidates.Count} source(s). Nothing was saved.");
        }

        var zone = FindZone(subscriber.TimeZone);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"Preview of {canonical}: {matches.Count} of the last {looked} items match");
        sb.Append(matches.Count > limits.PreviewMaxMatches ? $", the newest {limits.PreviewMaxMatches}:" : ":");
        var emphasis = new List<string>();
        foreach (var (definition, item, words) in matches.OrderByDescending(m => m.Item.Published).Take(limits.PreviewMaxMatches))
        {
            var local = TimeZoneInfo.ConvertTime(item.Published, zone);
            sb.Append(CultureInfo.InvariantCulture, $"\n• {local:dd.MM. HH:mm} [{definition.DisplayName}] {item.Headline} — matched: {string.Join(", ", words)}");
            emphasis.AddRange(words);
        }

        sb.Append("\nNothing was saved.");
        return new CommandReply(true, sb.ToString(), emphasis.Distinct(StringComparer.Ordinal).ToList());
    }

    public async Task<CommandReply> PauseAsync(Subscriber subscriber, CancellationToken cancellationToken = default)
    {
        await store.EnsureSubscriberAsync(subscriber, cancellationToken);
        await store.SetPausedAsync(subscriber.Id, true, cancellationToken);
        return CommandReply.Ok("Paused: no alerts until you resume. Your subscriptions are kept.");
    }

    public async Task<CommandReply> ResumeAsync(Subscriber subscriber, CancellationToken cancellationToken = default)
    {
        await store.EnsureSubscriberAsync(subscriber, cancellationToken);
        await store.SetPausedAsync(subscriber.Id, false, cancellationToken);
        return CommandReply.Ok("Resumed: alerts are on again.");
    }

    public CommandReply Sources()
    {
        if (sources.Count == 0)
        {
            return CommandReply.Ok("No sources are configured.");
        }

        var lines = sources.Select(s => s.DisplayName == s.Id ? $"• {s.Id}" : $"• {s.Id} — {s.DisplayName}");
        return CommandReply.Ok("Sources (use the id with source:ID in a query, or as the subscription's source):\n" + string.Join("\n", lines));
    }

    public CommandReply Help(string commandSyntax)
    {
        var c = commandSyntax.TrimEnd();
        var text = $"""
            I send you an alert when a new ticker entry matches one of your subscriptions.

            Subscribe: {c} Drohne
            • Words ignore case and umlaut spellings: Außenminister = Aussenminister = AUSSENMINISTER, Grüße = Gruesse.
            • Plural and inflected forms count: Drohne finds Drohnen, Soldat finds Soldaten, drone finds drones, attack finds attacked.
            • Parts of hyphenated words count: Nato finds Nato-Gipfel. A word inside a closed compound does not: Rakete does not find Raketenangriff.
            • Prefix with * (at least 3 letters): Raketen* finds Raketenangriff.
            • Phrase in quotes, words adjacent and in order: "Angriff auf Kiew"
            • Both words (AND): Drohne Kiew
            • Either word (OR): Drohne OR Rakete, or Drohne, Rakete
            • Without a word (NOT): Drohne -Odessa, or Drohne NOT Odessa
            • Group with parentheses: (Drohne OR Rakete) Kiew
            • Headline only: headline:Selenskyj
            • One source only: Drohne source:ID (see sources)
            • Regular expression: /F-?16/ (case-insensitive)
            • Names with several spellings are one word: Selenskyj = Zelensky = Зеленський, Kiew = Kyjiw = Kyiv.
            Limits: {limits.MaxQueryLength} characters and {limits.MaxQueryTerms} terms per query, {limits.MaxSubscriptionsPerSubscriber} subscriptions.

            Other commands: list (numbered), unsubscribe <number or query>, preview <query> (tries a query on the latest entries without saving it), pause, resume, sources.
            """;
        return CommandReply.Ok(text);
    }

    private bool TryParse(string query, out QueryNode tree, out CommandReply error)
    {
        if (QueryParser.TryParse(query, _queryOptions, out var parsed, out var e))
        {
            tree = parsed!;
            error = null!;
            return true;
        }

        tree = null!;
        error = SyntaxError(query, e!);
        return false;
    }

    /// <summary>The parser's reason and position, with the query and a caret under the position.</summary>
    internal static CommandReply SyntaxError(string query, QuerySyntaxException e)
    {
        var shown = query.Replace('\n', ' ').Replace('\r', ' ').Replace('\t', ' ');
        var caret = new string(' ', Math.Min(e.Position, shown.Length)) + "^";
        return CommandReply.Error($"I could not read that query: {e.Reason} at {e.Position}.\n  {shown}\n  {caret}");
    }

    private bool TryResolveSources(QueryNode tree, string? requested, out string? source, out CommandReply error)
    {
        source = null;
        error = null!;
        var wanted = new List<string>();
        if (!string.IsNullOrWhiteSpace(requested))
        {
            wanted.Add(requested.Trim());
        }

        wanted.AddRange(SourceIds(tree));
        foreach (var id in wanted)
        {
            if (!sources.Any(s => SameSource(s.Id, id)))
            {
                var valid = sources.Count == 0 ? "none are configured" : "valid: " + string.Join(", ", sources.Select(s => s.Id));
                error = CommandReply.Error($"Unknown source '{id}' ({valid}).");
                return false;
            }
        }

        if (!string.IsNullOrWhiteSpace(requested))
        {
            source = sources.First(s => SameSource(s.Id, requested.Trim())).Id;
        }

        return true;
    }

    private static IEnumerable<string> SourceIds(QueryNode node) => node switch
    {
        SourceNode s => [s.SourceId],
        NotNode n => SourceIds(n.Operand),
        AndNode a => a.Operands.SelectMany(SourceIds),
        OrNode o => o.Operands.SelectMany(SourceIds),
        _ => [],
    };

    private string Canonical(string stored) =>
        QueryParser.TryParse(stored, _queryOptions, out var tree, out _) ? tree!.ToString() : stored;

    private async Task<bool> IsPausedAsync(Subscriber subscriber, CancellationToken cancellationToken) =>
        (await store.GetSubscriberAsync(subscriber.Id, cancellationToken))?.Paused ?? false;

    private static bool SameSource(string? a, string? b) => string.Equals(a ?? "", b ?? "", StringComparison.OrdinalIgnoreCase);

    private static string SourceLabel(string? source) => source ?? "all";

    private static string Numbered(IReadOnlyList<Subscription> subscriptions) =>
        string.Join("\n", subscriptions.Select((s, i) => $"{i + 1}. {s.Query} — source: {SourceLabel(s.SourceId)}"));

    private static TimeZoneInfo FindZone(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        }
    }
}
