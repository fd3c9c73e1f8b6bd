using System.Globalization;
using System.Text;
using System.Text.Json;
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

    /// <summary>How many recent items of each source <c>/preview</c> and a plain-text offer look at.</summary>
    public int PreviewItemsPerSource { get; set; } = 50;

    /// <summary>How many matches <c>/preview</c> lists.</summary>
    public int PreviewMaxMatches { get; set; } = 5;

    /// <summary>
    /// CPU time one <c>/preview</c> may spend matching; it looks at fewer entries rather than run on (the reply says
    /// how many). Each entry also has the matcher's own per-item budget.
    /// </summary>
    public TimeSpan PreviewBudget { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Alerts one poll may create for one subscriber; the older rest become one summary alert (0: no cap).</summary>
    public int MaxAlertsPerSubscriberPerPoll { get; set; } = PollPipeline.DefaultMaxAlertsPerSubscriber;

    /// <summary>Most distinct regexes kept built at once (<see cref="RegexCache"/>); beyond it the least recently used are dropped.</summary>
    public int RegexCacheEntries { get; set; } = RegexCache.DefaultMaxEntries;

    /// <summary>Estimated memory of the kept regexes, their automata included, in MiB.</summary>
    public int RegexCacheMegabytes { get; set; } = (int)(RegexCache.DefaultMaxBytes / (1024 * 1024));

    private RegexCache? regexes;

    /// <summary>
    /// One cache per limits object, created at first use from <see cref="RegexCacheEntries"/> and
    /// <see cref="RegexCacheMegabytes"/>: the host binds one object, so the matcher index, <c>/preview</c> and
    /// <c>/subscribe</c> share their regexes.
    /// </summary>
    public RegexCache Regexes => LazyInitializer.EnsureInitialized(ref regexes, () => new RegexCache(RegexCacheEntries, RegexCacheMegabytes * 1024L * 1024));

    public QueryOptions ToQueryOptions() => new() { MaxLength = MaxQueryLength, MaxTerms = MaxQueryTerms, Regexes = Regexes };
}

/// <summary>
/// The chat commands and buttons of SPEC §4–§5 over the subscription store, worded by the subscriber's
/// <see cref="ChatTexts"/>. Queries are saved in their canonical form (the parser's printout), which is what
/// <c>/list</c> shows and what duplicates and <c>/unsubscribe &lt;query&gt;</c> are compared by. The matcher index is
/// not touched here: every instance follows the store's change feed. Offers and undo data are kept in the key-value
/// store under a random token, so that a button carries only the token.
/// </summary>
public sealed class SubscriptionCommands(
    ISubscriptionStore store,
    ITickerStateStore tickerState,
    IReadOnlyList<SourceDefinition> sources,
    SubscriptionLimits limits,
    TimeProvider time,
    Func<AliasTable>? aliases = null,
    IKeyValueStore? keyValues = null) : ISubscriptionCommands
{
    /// <summary>
    /// How long a button's offer (a deep link, plain words, a corrected operator) and an undo of an ended subscription
    /// stay valid. Long enough for a message read days later; the store drops them afterwards instead of keeping every
    /// offer ever made. An older button answers that it expired.
    /// </summary>
    public static readonly TimeSpan ButtonDataLifetime = TimeSpan.FromDays(7);

    /// <summary>How far back a plain-text offer counts matching entries.</summary>
    public static readonly TimeSpan OfferWindow = TimeSpan.FromHours(24);

    private static readonly string[] LowerCaseOperators = ["or", "and", "not", "oder", "und", "nicht"];

    private readonly QueryOptions queryOptions = limits.ToQueryOptions();
    private readonly IKeyValueStore keyValues = keyValues ?? new MemoryKeyValues();

    public async Task<CommandReply> SubscribeAsync(Subscriber subscriber, string query, string? sourceId, CancellationToken cancellationToken = default)
    {
        var t = ChatTexts.For(subscriber);
        query = (query ?? "").Trim();
        if (!TryParse(t, query, out var tree, out var error))
        {
            return error;
        }

        if (await OperatorHintAsync(t, query, sourceId, cancellationToken) is { } hint)
        {
            return hint;
        }

        return await SaveAsync(subscriber, tree, sourceId, cancellationToken);
    }

    public async Task<CommandReply> UnsubscribeAsync(Subscriber subscriber, string which, CancellationToken cancellationToken = default)
    {
        var t = ChatTexts.For(subscriber);
        var input = (which ?? "").Trim();
        if (input.Length == 0)
        {
            return CommandReply.Error(t.UnsubscribeWhich);
        }

        var existing = await store.ListSubscriptionsAsync(subscriber.Id, cancellationToken);
        if (existing.Count == 0)
        {
            return CommandReply.Error(t.NoSubscriptions);
        }

        List<int> indexes;
        if (input.Equals("all", StringComparison.OrdinalIgnoreCase) || input.Equals("alle", StringComparison.OrdinalIgnoreCase))
        {
            indexes = Enumerable.Range(0, existing.Count).ToList();
        }
        else if (TryNumbers(input, out var numbers))
        {
            if (numbers.Find(n => n < 1 || n > existing.Count) is var bad && (bad != 0 || numbers.Contains(0)))
            {
                return new CommandReply(false, t.NoSuchNumber(bad, existing.Count), Preformatted: Numbered(t, existing));
            }

            indexes = numbers.Select(n => n - 1).Distinct().Order().ToList();
        }
        else
        {
            // By query text: compared in canonical form, so case and umlaut spelling do not matter.
            var wanted = CanonicalKey(input);
            indexes = Enumerable.Range(0, existing.Count).Where(i => CanonicalKey(existing[i].Query) == wanted).ToList();
            if (indexes.Count == 0)
            {
                return new CommandReply(false, t.NoSuchQuery(input), Preformatted: Numbered(t, existing));
            }
        }

        var removed = new List<(int, string)>();
        foreach (var i in indexes)
        {
            if (await store.RemoveSubscriptionAsync(existing[i].Id, cancellationToken))
            {
                removed.Add((i + 1, existing[i].Query));
            }
        }

        return removed.Count == 0 ? CommandReply.Error(t.NoSubscriptions) : new CommandReply(true, t.Unsubscribed(removed), removed.Select(r => r.Item2).ToList());
    }

    public async Task<CommandReply> ListAsync(Subscriber subscriber, CancellationToken cancellationToken = default)
    {
        var t = ChatTexts.For(subscriber);
        var stored = await store.GetSubscriberAsync(subscriber.Id, cancellationToken) ?? subscriber;
        var existing = await store.ListSubscriptionsAsync(subscriber.Id, cancellationToken);
        var now = time.GetUtcNow();
        var zone = stored.FindTimeZone();
        var sb = new StringBuilder();
        foreach (var state in States(t, stored, now))
        {
            sb.Append(state).Append('\n');
        }

        if (existing.Count == 0)
        {
            sb.Append(t.ListEmpty);
            return CommandReply.Ok(sb.ToString());
        }

        sb.Append(t.ListHeader(existing.Count, limits.MaxSubscriptionsPerSubscriber, subscriber.Platform == Platforms.DiscordChannel)).Append('\n');
        var rows = new List<IReadOnlyList<ChatButton>>();
        for (var i = 0; i < existing.Count; i++)
        {
            var s = existing[i];
            sb.Append(CultureInfo.InvariantCulture, $"{i + 1}. {s.Query} — {t.Source(s.SourceId)}");
            if (s.IsMutedAt(now))
            {
                sb.Append(" (").Append(t.MutedUntilNote(ChatTime.Format(s.MutedUntil!.Value, now, zone, t.Culture))).Append(')');
            }

            sb.Append('\n');
            rows.Add(SubscriptionRow(t, stored, s, i + 1, now, numbered: true));
        }

        return new CommandReply(true, sb.ToString().TrimEnd(), existing.Select(s => s.Query).ToList(), Buttons: rows);
    }

    public async Task<CommandReply> PreviewAsync(Subscriber subscriber, string query, string? sourceId, CancellationToken cancellationToken = default)
    {
        var t = ChatTexts.For(subscriber);
        query = (query ?? "").Trim();
        if (!TryParse(t, query, out var tree, out var error))
        {
            return error;
        }

        if (!TryResolveSources(t, tree, sourceId, out var source, out error))
        {
            return error;
        }

        var canonical = tree.ToString();
        var candidates = source is null ? sources : sources.Where(s => SameSource(s.Id, source)).ToList();
        var (matches, looked) = await FindRecentAsync(canonical, candidates, null, cancellationToken);
        if (matches.Count == 0)
        {
            return CommandReply.Ok(t.PreviewNone(canonical, looked, candidates.Count));
        }

        var zone = subscriber.FindTimeZone();
        var now = time.GetUtcNow();
        var shown = Math.Min(matches.Count, limits.PreviewMaxMatches);
        var sb = new StringBuilder(t.PreviewHeader(canonical, matches.Count, looked, shown));
        var emphasis = new List<string>();
        foreach (var (definition, item, words) in matches.OrderByDescending(m => m.Item.Published).Take(shown))
        {
            sb.Append("\n• ").Append(ChatTime.Format(item.Published, now, zone, t.Culture)).Append(CultureInfo.InvariantCulture, $" [{definition.DisplayName}] {item.Headline}");
            if (!string.IsNullOrEmpty(item.Url))
            {
                sb.Append("\n  ").Append(item.Url);
            }

            emphasis.AddRange(words);
        }

        sb.Append('\n').Append(t.PreviewFooter);
        return new CommandReply(true, sb.ToString(), emphasis.Distinct(StringComparer.OrdinalIgnoreCase).ToList(), EmphasisEverywhere: true);
    }

    public async Task<CommandReply> PauseAsync(Subscriber subscriber, CancellationToken cancellationToken = default)
    {
        await store.EnsureSubscriberAsync(subscriber, cancellationToken);
        await store.SetPausedAsync(subscriber.Id, true, cancellationToken);
        return CommandReply.Ok(ChatTexts.For(subscriber).Paused);
    }

    public async Task<CommandReply> ResumeAsync(Subscriber subscriber, CancellationToken cancellationToken = default)
    {
        await store.EnsureSubscriberAsync(subscriber, cancellationToken);
        await store.SetPausedAsync(subscriber.Id, false, cancellationToken);
        return CommandReply.Ok(ChatTexts.For(subscriber).Resumed);
    }

    public async Task<CommandReply> StopAsync(Subscriber subscriber, CancellationToken cancellationToken = default)
    {
        var t = ChatTexts.For(subscriber);
        var existing = await store.ListSubscriptionsAsync(subscriber.Id, cancellationToken);
        if (existing.Count == 0)
        {
            return CommandReply.Ok(t.NoSubscriptions);
        }

        return new CommandReply(true, t.StopAsk(existing.Count), Buttons:
            [[new ChatButton(t.StopYes, new ChatAction.Stop(true)), new ChatButton(t.StopNo, new ChatAction.Stop(false))]]);
    }

    public async Task<CommandReply> MuteAsync(Subscriber subscriber, string duration, CancellationToken cancellationToken = default)
    {
        var t = ChatTexts.For(subscriber);
        var input = (duration ?? "").Trim();
        if (input.Equals("off", StringComparison.OrdinalIgnoreCase) || input.Equals("aus", StringComparison.OrdinalIgnoreCase))
        {
            await SaveSettingsAsync(subscriber, s => s with { MutedUntil = null }, cancellationToken);
            return CommandReply.Ok(t.Unmuted);
        }

        if (!ChatTime.TryParseDuration(input, out var length) || length > ChatTime.MaxMute)
        {
            return CommandReply.Error(t.MuteUsage);
        }

        var now = time.GetUtcNow();
        var until = now + length;
        var saved = await SaveSettingsAsync(subscriber, s => s with { MutedUntil = until }, cancellationToken);
        return CommandReply.Ok(t.Muted(ChatTime.Format(until, now, saved.FindTimeZone(), t.Culture)));
    }

    public async Task<CommandReply> QuietAsync(Subscriber subscriber, string hours, CancellationToken cancellationToken = default)
    {
        var t = ChatTexts.For(subscriber);
        var input = (hours ?? "").Trim();
        if (input.Equals("off", StringComparison.OrdinalIgnoreCase) || input.Equals("aus", StringComparison.OrdinalIgnoreCase))
        {
            await SaveSettingsAsync(subscriber, s => s with { Quiet = null }, cancellationToken);
            return CommandReply.Ok(t.QuietOff);
        }

        if (!QuietHours.TryParse(input, out var quiet))
        {
            return CommandReply.Error(t.QuietUsage);
        }

        var saved = await SaveSettingsAsync(subscriber, s => s with { Quiet = quiet }, cancellationToken);
        return CommandReply.Ok(t.QuietSet(quiet.ToString(), saved.FindTimeZone().Id));
    }

    public async Task<CommandReply> SetTimeZoneAsync(Subscriber subscriber, string zone, CancellationToken cancellationToken = default)
    {
        var t = ChatTexts.For(subscriber);
        var input = (zone ?? "").Trim();
        if (!ChatTime.TryFindZone(input, out var found))
        {
            return CommandReply.Error(t.TimeZoneUnknown(input));
        }

        await SaveSettingsAsync(subscriber, s => s with { TimeZone = found.Id }, cancellationToken);
        var now = time.GetUtcNow();
        return CommandReply.Ok(t.TimeZoneSet(found.Id, ChatTime.Format(now, now, found, t.Culture)));
    }

    public async Task<CommandReply> SetLanguageAsync(Subscriber subscriber, string language, CancellationToken cancellationToken = default)
    {
        if (ChatLanguage.Parse(language) is not { } chosen)
        {
            return CommandReply.Error(ChatTexts.For(subscriber).LanguageUsage);
        }

        await SaveSettingsAsync(subscriber, s => s with { Language = chosen }, cancellationToken);
        return CommandReply.Ok(ChatTexts.For(chosen).LanguageSet);
    }

    public async Task<CommandReply> SetFormatAsync(Subscriber subscriber, string format, CancellationToken cancellationToken = default)
    {
        var t = ChatTexts.For(subscriber);
        bool? longFormat = (format ?? "").Trim().ToLowerInvariant() switch
        {
            "long" or "lang" => true,
            "short" or "kurz" => false,
            _ => null,
        };
        if (longFormat is not { } chosen)
        {
            return CommandReply.Error(t.FormatUsage);
        }

        await SaveSettingsAsync(subscriber, s => s with { LongFormat = chosen }, cancellationToken);
        return CommandReply.Ok(t.FormatSet(chosen));
    }

    public async Task<CommandReply> OfferAsync(Subscriber subscriber, string query, bool shared, CancellationToken cancellationToken = default)
    {
        var t = ChatTexts.For(subscriber);
        query = (query ?? "").Trim();
        if (!TryParse(t, query, out var tree, out var error))
        {
            return error;
        }

        if (!TryResolveSources(t, tree, null, out _, out error))
        {
            return error;
        }

        if (await OperatorHintAsync(t, query, null, cancellationToken) is { } hint)
        {
            return hint;
        }

        var canonical = tree.ToString();
        var token = await StoreOfferAsync(canonical, null, cancellationToken);
        var text = shared
            ? t.OfferShared(canonical)
            : t.OfferPlain(canonical, (await FindRecentAsync(canonical, sources, time.GetUtcNow() - OfferWindow, cancellationToken)).Matches.Count);
        return new CommandReply(true, text, [canonical], Buttons: [[new ChatButton(t.SubscribeButton, new ChatAction.SubscribeOffer(token))]]);
    }

    public async Task<ButtonOutcome> PressAsync(Subscriber subscriber, ChatAction action, bool numbered, CancellationToken cancellationToken = default)
    {
        var t = ChatTexts.For(subscriber);
        var now = time.GetUtcNow();
        switch (action)
        {
            case ChatAction.Help:
                return new ButtonOutcome("", Reply: Help(subscriber, "/subscribe"), Changed: false);
            case ChatAction.SubscribeExample { Index: var index }:
                if (index < 0 || index >= t.Examples.Count)
                {
                    return new ButtonOutcome(t.OfferExpired, Changed: false);
                }

                return await SubscribeByButtonAsync(subscriber, t.Examples[index].Query, null, cancellationToken);
            case ChatAction.SubscribeOffer { Token: var token }:
                if (await LoadAsync<Offer>("offer:" + token, cancellationToken) is not { } offer)
                {
                    return new ButtonOutcome(t.OfferExpired, Changed: false);
                }

                return await SubscribeByButtonAsync(subscriber, offer.Query, offer.Source, cancellationToken);
            case ChatAction.Stop { Confirmed: false }:
                return new ButtonOutcome(t.StopCancelled, Row: [], Reply: CommandReply.Ok(t.StopCancelled));
            case ChatAction.Stop { Confirmed: true }:
            {
                var existing = await store.ListSubscriptionsAsync(subscriber.Id, cancellationToken);
                var ended = 0;
                foreach (var s in existing)
                {
                    ended += await store.RemoveSubscriptionAsync(s.Id, cancellationToken) ? 1 : 0;
                }

                await SaveSettingsAsync(subscriber, s => s with { MutedUntil = null }, cancellationToken);
                return new ButtonOutcome(t.Stopped(ended), Row: [], Reply: CommandReply.Ok(t.Stopped(ended)));
            }

            case ChatAction.Restore { Token: var token }:
            {
                if (await LoadAsync<Ended>("undo:" + token, cancellationToken) is not { } ended)
                {
                    return new ButtonOutcome(t.UndoExpired, Changed: false);
                }

                if (ended.SubscriberId != subscriber.Id)
                {
                    return new ButtonOutcome(t.NotThisChatsSubscription, Changed: false);
                }

                var existing = await store.ListSubscriptionsAsync(subscriber.Id, cancellationToken);
                var again = existing.FirstOrDefault(s => CanonicalKey(s.Query) == CanonicalKey(ended.Query) && SameSource(s.SourceId, ended.Source))
                    ?? await store.AddSubscriptionAsync(subscriber.Id, ended.Query, ended.Source, ended.CreatedAt, cancellationToken);
                var list = await store.ListSubscriptionsAsync(subscriber.Id, cancellationToken);
                var number = IndexOf(list, again.Id) + 1;
                return new ButtonOutcome(t.RestoredToast(again.Query), Row: SubscriptionRow(t, subscriber, again, number, now, numbered));
            }
        }

        // The remaining actions name a subscription: it must be this subscriber's.
        var subscriptionId = action switch
        {
            ChatAction.Mute m => m.SubscriptionId,
            ChatAction.Unmute u => u.SubscriptionId,
            ChatAction.End e => e.SubscriptionId,
            _ => 0,
        };
        var mine = await store.ListSubscriptionsAsync(subscriber.Id, cancellationToken);
        var at = IndexOf(mine, subscriptionId);
        if (at < 0)
        {
            return new ButtonOutcome(t.NotThisChatsSubscription, Row: [], Changed: false);
        }

        var subscription = mine[at];
        var zone = subscriber.FindTimeZone();
        switch (action)
        {
            case ChatAction.Mute { UntilMorning: var morning }:
            {
                var until = morning ? ChatTime.TomorrowMorning(now, zone) : now.AddHours(1);
                await store.SetSubscriptionMutedUntilAsync(subscription.Id, until, cancellationToken);
                var shown = ChatTime.Format(until, now, zone, t.Culture);
                return new ButtonOutcome(t.MutedToast(at + 1, shown), SubscriptionRow(t, subscriber, subscription with { MutedUntil = until }, at + 1, now, numbered));
            }

            case ChatAction.Unmute:
                await store.SetSubscriptionMutedUntilAsync(subscription.Id, null, cancellationToken);
                return new ButtonOutcome(t.UnmutedToast(at + 1), SubscriptionRow(t, subscriber, subscription with { MutedUntil = null }, at + 1, now, numbered));
            default:
            {
                var token = ChatAction.NewToken();
                await keyValues.SetAsync("undo:" + token, JsonSerializer.Serialize(new Ended(subscriber.Id, subscription.Query, subscription.SourceId, subscription.CreatedAt)), now + ButtonDataLifetime, cancellationToken);
                await store.RemoveSubscriptionAsync(subscription.Id, cancellationToken);
                var label = (numbered ? $"#{at + 1} " : "") + t.EndedButton + " · " + t.UndoButton;
                return new ButtonOutcome(t.EndedToast(at + 1, subscription.Query), [new ChatButton(label, new ChatAction.Restore(token))]);
            }
        }
    }

    public CommandReply Sources(Subscriber subscriber)
    {
        var t = ChatTexts.For(subscriber);
        if (sources.Count == 0)
        {
            return CommandReply.Ok(t.NoSources);
        }

        var lines = sources.Select(s => s.DisplayName == s.Id ? $"• {s.Id}" : $"• {s.Id} — {s.DisplayName}");
        return CommandReply.Ok(t.SourcesHeader + "\n" + string.Join("\n", lines));
    }

    public CommandReply Help(Subscriber subscriber, string commandSyntax) =>
        CommandReply.Ok(ChatTexts.For(subscriber).Help(commandSyntax.TrimEnd(), limits));

    public CommandReply Start(Subscriber subscriber)
    {
        var t = ChatTexts.For(subscriber);
        var examples = t.Examples.Select((e, i) => new ChatButton(e.Label, new ChatAction.SubscribeExample(i))).ToList();
        return new CommandReply(true, t.StartIntro(""), Buttons: [examples, [new ChatButton(t.HelpButton, new ChatAction.Help())]]);
    }

    public IReadOnlyList<ChatButton> AlertButtons(Subscriber subscriber, Subscription subscription) =>
        SubscriptionRow(ChatTexts.For(subscriber), subscriber, subscription, 0, time.GetUtcNow(), numbered: false);

    /// <summary>The row of one subscription: mute buttons and end, or, while muted, the mute with its undo.</summary>
    private static IReadOnlyList<ChatButton> SubscriptionRow(ChatTexts t, Subscriber subscriber, Subscription s, int number, DateTimeOffset now, bool numbered)
    {
        var prefix = numbered ? $"#{number} " : "";
        if (s.IsMutedAt(now))
        {
            var until = ChatTime.Format(s.MutedUntil!.Value, now, subscriber.FindTimeZone(), t.Culture);
            return [new ChatButton(prefix + t.MutedUntilButton(until) + " · " + t.UndoButton, new ChatAction.Unmute(s.Id)), new ChatButton(prefix + t.EndButton, new ChatAction.End(s.Id))];
        }

        return
        [
            new ChatButton(prefix + t.MuteHourButton, new ChatAction.Mute(s.Id, false)),
            new ChatButton(prefix + t.MuteMorningButton, new ChatAction.Mute(s.Id, true)),
            new ChatButton(prefix + t.EndButton, new ChatAction.End(s.Id)),
        ];
    }

    private async Task<ButtonOutcome> SubscribeByButtonAsync(Subscriber subscriber, string query, string? source, CancellationToken cancellationToken)
    {
        var t = ChatTexts.For(subscriber);
        if (!TryParse(t, query, out var tree, out var error))
        {
            return new ButtonOutcome(error.Text, Reply: error, Changed: false);
        }

        var reply = await SaveAsync(subscriber, tree, source, cancellationToken);
        return new ButtonOutcome(reply.Text.Split('\n')[0], Reply: reply, Changed: reply.Success);
    }

    private async Task<CommandReply> SaveAsync(Subscriber subscriber, QueryNode tree, string? sourceId, CancellationToken cancellationToken)
    {
        var t = ChatTexts.For(subscriber);
        if (!TryResolveSources(t, tree, sourceId, out var source, out var error))
        {
            return error;
        }

        var canonical = tree.ToString();
        await store.EnsureSubscriberAsync(subscriber, cancellationToken);
        var existing = await store.ListSubscriptionsAsync(subscriber.Id, cancellationToken);
        for (var i = 0; i < existing.Count; i++)
        {
            if (SameSource(existing[i].SourceId, source) && CanonicalKey(existing[i].Query) == CanonicalKey(canonical))
            {
                return new CommandReply(false, t.AlreadySubscribed(i + 1, existing[i].Query, source), [existing[i].Query]);
            }
        }

        if (existing.Count >= limits.MaxSubscriptionsPerSubscriber)
        {
            return CommandReply.Error(t.LimitReached(limits.MaxSubscriptionsPerSubscriber));
        }

        await store.AddSubscriptionAsync(subscriber.Id, canonical, source, time.GetUtcNow(), cancellationToken);
        var text = t.Subscribed(existing.Count + 1, canonical, source);
        if ((await store.GetSubscriberAsync(subscriber.Id, cancellationToken))?.Paused == true)
        {
            text += "\n" + t.PausedNote;
        }

        return new CommandReply(true, text, [canonical]);
    }

    /// <summary>
    /// A lower-case <c>or</c>/<c>oder</c>/<c>and</c>/<c>und</c>/<c>not</c>/<c>nicht</c> between terms is searched as a word,
    /// which is rarely what was meant: offer the corrected query (and the query as written) as buttons instead of saving.
    /// </summary>
    private async Task<CommandReply?> OperatorHintAsync(ChatTexts t, string query, string? source, CancellationToken cancellationToken)
    {
        var words = OutsideQuotes(query);
        var hits = words.Where((w, i) => LowerCaseOperators.Contains(w.Text, StringComparer.Ordinal)
            && i < words.Count - 1 && (i > 0 || w.Text is "not" or "nicht")).ToList();
        if (hits.Count == 0)
        {
            return null;
        }

        var sb = new StringBuilder(query);
        foreach (var hit in hits.OrderByDescending(h => h.Start))
        {
            sb.Remove(hit.Start, hit.Text.Length).Insert(hit.Start, hit.Text.ToUpperInvariant());
        }

        var corrected = sb.ToString();
        if (!QueryParser.TryParse(corrected, queryOptions, out var fixedTree, out _) || !QueryParser.TryParse(query, queryOptions, out var asWritten, out _))
        {
            return null;
        }

        var first = hits[0].Text;
        var fixedToken = await StoreOfferAsync(fixedTree!.ToString(), source, cancellationToken);
        var writtenToken = await StoreOfferAsync(asWritten!.ToString(), source, cancellationToken);
        return new CommandReply(false, t.OperatorHint(first, first.ToUpperInvariant(), fixedTree.ToString()), [fixedTree.ToString()], Buttons:
        [
            [new ChatButton(t.SaveCorrected(fixedTree.ToString()), new ChatAction.SubscribeOffer(fixedToken))],
            [new ChatButton(t.SaveAsWritten, new ChatAction.SubscribeOffer(writtenToken))],
        ]);
    }

    /// <summary>The bare words of a query outside quotes and regexes, with their positions.</summary>
    private static List<(string Text, int Start)> OutsideQuotes(string query)
    {
        var words = new List<(string, int)>();
        var i = 0;
        while (i < query.Length)
        {
            var c = query[i];
            if (c is '"' or '/')
            {
                var close = query.IndexOf(c, i + 1);
                i = close < 0 ? query.Length : close + 1;
                words.Add(("\u0000", i)); // a phrase or regex is a term
                continue;
            }

            if (char.IsWhiteSpace(c) || c is '(' or ')' or ',')
            {
                i++;
                continue;
            }

            var start = i;
            while (i < query.Length && !char.IsWhiteSpace(query[i]) && query[i] is not ('(' or ')' or ',' or '"'))
            {
                i++;
            }

            words.Add((query[start..i], start));
        }

        return words;
    }

    private async Task<(List<(SourceDefinition Source, TickerItem Item, IReadOnlyList<string> Words)> Matches, int Looked)> FindRecentAsync(
        string canonical, IReadOnlyList<SourceDefinition> candidates, DateTimeOffset? since, CancellationToken cancellationToken)
    {
        var recent = new List<(SourceDefinition Source, IReadOnlyList<TickerItem> Items)>(candidates.Count);
        foreach (var definition in candidates)
        {
            recent.Add((definition, await tickerState.GetRecentItemsAsync(definition.Id, limits.PreviewItemsPerSource, cancellationToken)));
        }

        // Matching awaits nothing and may run for the whole PreviewBudget: on a thread of its own, neither on the caller's
        // (the Telegram polling loop runs a handler until its first real await, and SQLite's awaits complete at once) nor
        // on one of the thread pool's few, which other chats' commands need meanwhile (issue 13, HostileRegexTests).
        return await Task.Factory.StartNew(
            () => MatchRecent(canonical, recent, since),
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    private (List<(SourceDefinition Source, TickerItem Item, IReadOnlyList<string> Words)> Matches, int Looked) MatchRecent(
        string canonical, List<(SourceDefinition Source, IReadOnlyList<TickerItem> Items)> recent, DateTimeOffset? since)
    {
        var started = time.GetTimestamp();
        var matcher = new SingleQueryMatcher(canonical, aliases?.Invoke(), queryOptions);
        var matches = new List<(SourceDefinition, TickerItem, IReadOnlyList<string>)>();
        var looked = 0;
        foreach (var (definition, items) in recent)
        {
            foreach (var item in items.Where(i => since is null || i.Published >= since))
            {
                if (time.GetElapsedTime(started) > limits.PreviewBudget)
                {
                    return (matches, looked);
                }

                looked++;
                if (matcher.Match(item) is { } words)
                {
                    matches.Add((definition, item, words));
                }
            }
        }

        return (matches, looked);
    }

    private async Task<Subscriber> SaveSettingsAsync(Subscriber subscriber, Func<Subscriber, Subscriber> change, CancellationToken cancellationToken)
    {
        var stored = await store.EnsureSubscriberAsync(subscriber, cancellationToken);
        var changed = change(stored with { DetectedLanguage = subscriber.DetectedLanguage ?? stored.DetectedLanguage });
        await store.SaveSettingsAsync(changed, cancellationToken);
        return changed;
    }

    private async Task<string> StoreOfferAsync(string query, string? source, CancellationToken cancellationToken)
    {
        var token = ChatAction.NewToken();
        await keyValues.SetAsync("offer:" + token, JsonSerializer.Serialize(new Offer(query, source)), time.GetUtcNow() + ButtonDataLifetime, cancellationToken);
        return token;
    }

    private async Task<T?> LoadAsync<T>(string key, CancellationToken cancellationToken)
        where T : class
    {
        var json = await keyValues.GetAsync(key, cancellationToken);
        try
        {
            return json is null ? null : JsonSerializer.Deserialize<T>(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private IEnumerable<string> States(ChatTexts t, Subscriber s, DateTimeOffset now)
    {
        var zone = s.FindTimeZone();
        if (s.Paused)
        {
            yield return t.PausedState;
        }

        if (s.IsMutedAt(now))
        {
            yield return t.ChatMutedState(ChatTime.Format(s.MutedUntil!.Value, now, zone, t.Culture));
        }

        if (s.Quiet is { } quiet)
        {
            yield return t.QuietState(quiet.ToString(), zone.Id);
        }

        if (!s.Active && s.Platform == Platforms.DiscordUser)
        {
            yield return t.DmRefusedState;
        }
    }

    /// <summary>Numbers (<c>2 5 7</c>, <c>#2</c>, <c>2,5</c>) and ranges (<c>4-10</c>).</summary>
    private static bool TryNumbers(string input, out List<int> numbers)
    {
        numbers = [];
        foreach (var part in input.Split([' ', ',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var p = part.TrimStart('#');
            var dash = p.IndexOf('-', StringComparison.Ordinal);
            if (dash > 0 && int.TryParse(p[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var from)
                && int.TryParse(p[(dash + 1)..].TrimStart('#'), NumberStyles.None, CultureInfo.InvariantCulture, out var to) && from <= to && to - from < 1000)
            {
                numbers.AddRange(Enumerable.Range(from, to - from + 1));
            }
            else if (int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                numbers.Add(n);
            }
            else
            {
                numbers = [];
                return false;
            }
        }

        return numbers.Count > 0;
    }

    private bool TryParse(ChatTexts t, string query, out QueryNode tree, out CommandReply error)
    {
        if (QueryParser.TryParse(query, queryOptions, out var parsed, out var e))
        {
            tree = parsed!;
            error = null!;
            return true;
        }

        tree = null!;
        error = SyntaxError(t, query, e!);
        return false;
    }

    /// <summary>The parser's reason in words and its 1-based position, with the query and a caret under that character in a monospace block.</summary>
    internal static CommandReply SyntaxError(ChatTexts t, string query, QuerySyntaxException e)
    {
        var shown = query.Replace('\n', ' ').Replace('\r', ' ').Replace('\t', ' ');
        var position = Math.Min(e.Position, shown.Length);
        var caret = new string(' ', position) + "^";
        return new CommandReply(false, t.QueryError(t.Reason(e.Reason), position + 1), Preformatted: $"{shown}\n{caret}");
    }

    private bool TryResolveSources(ChatTexts t, QueryNode tree, string? requested, out string? source, out CommandReply error)
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
                error = CommandReply.Error(t.UnknownSource(id, sources.Select(s => s.Id).ToList()));
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

    /// <summary>The canonical form with case and umlaut spelling folded: what makes two queries the same subscription.</summary>
    private string CanonicalKey(string query)
    {
        var canonical = QueryParser.TryParse(query, queryOptions, out var tree, out _) ? tree!.ToString() : query.Trim();
        // OR is the one operator the canonical form spells as a word; keep it apart from a searched word "or".
        return TextNormalizer.Fold(canonical.Replace(" OR ", " \u0001 ", StringComparison.Ordinal));
    }

    private static int IndexOf(IReadOnlyList<Subscription> list, long id)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i].Id == id)
            {
                return i;
            }
        }

        return -1;
    }

    private static bool SameSource(string? a, string? b) => string.Equals(a ?? "", b ?? "", StringComparison.OrdinalIgnoreCase);

    private static string Numbered(ChatTexts t, IReadOnlyList<Subscription> subscriptions) =>
        string.Join("\n", subscriptions.Select((s, i) => $"{i + 1}. {s.Query} — {t.Source(s.SourceId)}"));

    private sealed record Offer(string Query, string? Source);

    private sealed record Ended(string SubscriberId, string Query, string? Source, DateTimeOffset CreatedAt);

    /// <summary>Offers and undo data when the host gives no durable store (tests, the CLI); they live as long as the process.</summary>
    private sealed class MemoryKeyValues : IKeyValueStore
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> values = new(StringComparer.Ordinal);

        public Task<string?> GetAsync(string key, CancellationToken cancellationToken = default) => Task.FromResult(values.GetValueOrDefault(key));

        public Task SetAsync(string key, string value, CancellationToken cancellationToken = default)
        {
            values[key] = value;
            return Task.CompletedTask;
        }

        public Task SetAsync(string key, string value, DateTimeOffset expiresAt, CancellationToken cancellationToken = default) =>
            SetAsync(key, value, cancellationToken);
    }
}
