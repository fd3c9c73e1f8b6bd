using System.Globalization;

namespace Alerts.Core.Subscriptions;

/// <summary>The English catalogue (see <see cref="ChatTexts"/>).</summary>
public sealed class EnglishTexts : ChatTexts
{
    public override string Language => ChatLanguage.English;

    public override CultureInfo Culture { get; } = CultureInfo.GetCultureInfo("en-GB");

    public override IReadOnlyList<(string Label, string Query)> Examples { get; } =
    [
        ("🛩 Drones", "Drohne OR drone"),
        ("🇺🇦 Zelensky", "Selenskyj"),
        ("⚡ Power cuts", "Stromausfall OR \"power outage\""),
    ];

    public override string StartIntro(string botName) => $"""
        Hi! I watch news live tickers and send you an entry as soon as it mentions what you follow.

        Tap an example to start, or write a word to me (Drohne, Kiew, Nato …).
        /list shows what you follow, /stop ends everything.
        """;

    public override string HelpButton => "❓ How to write queries";

    public override string Help(string subscribe, SubscriptionLimits limits) => $"""
        I send you an alert when a new ticker entry matches one of your subscriptions.

        Subscribe: {subscribe} Drohne
        • Case and umlaut spellings do not matter: Außenminister = Aussenminister.
        • Plural and inflected forms count: Drohne finds Drohnen, Soldat finds Soldaten.
        • Parts of hyphenated words count: Nato finds Nato-Gipfel; Rakete does not find Raketenangriff.
        • Prefix with * (at least 3 letters): Raketen* finds Raketenangriff.
        • Phrase in quotes: "Angriff auf Kiew"
        • Both words: Drohne Kiew
        • Either word: Drohne OR Rakete (or: Drohne, Rakete)
        • Without a word: Drohne -Odessa (or: Drohne NOT Odessa)
        • Parentheses group: (Drohne OR Rakete) Kiew
        • Headline only: headline:Selenskyj · one source only: source:ID (see /sources)
        • Regular expression: /F-?16/
        • Names with several spellings are one word: Selenskyj = Zelensky = Зеленський.
        Limits: {limits.MaxQueryLength} characters and {limits.MaxQueryTerms} terms per query, {limits.MaxSubscriptionsPerSubscriber} subscriptions.
        """;

    public override string CommandOverview(IReadOnlyList<(string Command, string Description)> commands) =>
        "Commands:\n" + Join(commands.Select(c => $"{c.Command} – {c.Description}"));

    public override string OfferShared(string query) => $"Someone shared this subscription with you:\n{query}\nSubscribe to it?";

    public override string OfferPlain(string query, int matchesLast24Hours) => matchesLast24Hours switch
    {
        0 => $"Subscribe to {query}? Nothing in the last 24 hours would have matched.",
        1 => $"Subscribe to {query}? 1 entry of the last 24 hours would have matched.",
        _ => $"Subscribe to {query}? {matchesLast24Hours} entries of the last 24 hours would have matched.",
    };

    public override string SubscribeButton => "✅ Subscribe";

    public override string OfferExpired => "This offer is no longer available; send the words again.";

    public override string OnlyCommands => "Send me a word to follow, or /help.";

    public override string UnknownCommand(string command) => $"I do not know {command}. /help lists what I can do.";

    public override string Usage(string syntax, string example) => $"Please add what you mean: {syntax}\nFor example: {example}";

    public override string Subscribed(int number, string query, string? source) => $"Subscribed #{number}: {query} — {Source(source)}";

    public override string AlreadySubscribed(int number, string query, string? source) => $"You already follow this: #{number}: {query} — {Source(source)}";

    public override string LimitReached(int max) => $"You have reached the limit of {max} subscriptions. End one (/unsubscribe with its number) before adding another.";

    public override string PausedNote => "Alerts are paused: nothing arrives until /resume.";

    public override string UnknownSource(string id, IReadOnlyList<string> valid) =>
        valid.Count == 0 ? $"Unknown source '{id}': no sources are configured." : $"Unknown source '{id}'. Valid: {string.Join(", ", valid)}.";

    public override string QueryError(string reason, int position) => $"I could not read that query: {reason} (character {position}).";

    public override string OperatorHint(string written, string meant, string corrected) =>
        $"Did you mean {meant}? Lower-case \"{written}\" is searched as a word. Operators are written in capitals: {corrected}";

    public override string SaveCorrected(string corrected) => $"✅ {corrected}";

    public override string SaveAsWritten => "Save as written";

    public override string UnsubscribeWhich => "Which subscription should I end? Its number from /list (2, 2 5 7, 4-10, all) or its query.";

    public override string NoSubscriptions => "You have no subscriptions.";

    public override string NoSuchNumber(int number, int count) => $"There is no subscription #{number}; you have {count}.";

    public override string NoSuchQuery(string query) => $"You have no subscription with the query {query}.";

    public override string Unsubscribed(IReadOnlyList<(int Number, string Query)> removed) => removed.Count == 1
        ? $"Ended #{removed[0].Number}: {removed[0].Query}"
        : $"Ended {removed.Count} subscriptions:\n" + Join(removed.Select(r => $"#{r.Number}: {r.Query}"));

    public override string StopAsk(int count) => count == 1
        ? "End your subscription and stop all alerts to this chat?"
        : $"End all {count} subscriptions and stop all alerts to this chat?";

    public override string StopYes => "🛑 Yes, end everything";

    public override string StopNo => "Cancel";

    public override string Stopped(int count) => $"Done: {count} subscription(s) ended, no more alerts. Send a word or /start to begin again.";

    public override string StopCancelled => "Nothing was changed.";

    public override string ListHeader(int count, int max, bool channel) =>
        channel ? $"This channel's subscriptions ({count} of {max}):" : $"Your subscriptions ({count} of {max}):";

    public override string ListEmpty => "No subscriptions yet. Send me a word to follow, or /start for examples.";

    public override string SourceAll => "all sources";

    public override string Source(string? source) => source is null ? SourceAll : $"source {source}";

    public override string MutedUntilNote(string until) => $"muted until {until}";

    public override string PausedState => "⏸ Paused: no alerts arrive until /resume.";

    public override string ChatMutedState(string until) => $"🔕 Muted until {until}.";

    public override string QuietState(string quiet, string zone) => $"🌙 Quiet hours {quiet} ({zone}): alerts arrive without sound.";

    public override string DmRefusedState => "⚠️ Discord refuses my direct messages to you (your privacy settings), so alerts cannot reach you. Allow direct messages from server members, then run any command.";

    public override string PreviewNone(string query, int looked, int sources) =>
        $"Preview of {query}: no match among the last {looked} entries of {sources} source(s). Nothing was saved.";

    public override string PreviewHeader(string query, int matched, int looked, int shown) =>
        matched > shown ? $"Preview of {query}: {matched} of the last {looked} entries match, the newest {shown}:" : $"Preview of {query}: {matched} of the last {looked} entries match:";

    public override string PreviewFooter => "Nothing was saved.";

    public override string Paused => "⏸ Paused: no alerts at all until you /resume. Your subscriptions are kept.";

    public override string Resumed => "▶️ Resumed: alerts are on again.";

    public override string Muted(string until) => $"🔕 Muted until {until}. Alerts in between are skipped; /mute off ends it early.";

    public override string Unmuted => "🔔 Mute ended: alerts are on.";

    public override string MuteUsage => "How long? /mute 30m, /mute 2h, /mute 1d (at most 7d), or /mute off.";

    public override string QuietSet(string quiet, string zone) => $"🌙 Quiet hours {quiet} ({zone}): alerts in these hours arrive without sound. /quiet off ends them.";

    public override string QuietOff => "Quiet hours are off: every alert makes a sound.";

    public override string QuietUsage => "Which hours? For example /quiet 22-07, or /quiet off.";

    public override string TimeZoneSet(string zone, string localNow) => $"Time zone {zone}: it is {localNow} there. Alert times are shown in this zone.";

    public override string TimeZoneUnknown(string input) => $"I do not know the time zone '{input}'. Use an IANA name such as Europe/Berlin, Europe/Kyiv or America/New_York.";

    public override string LanguageSet => "I will write in English in this chat.";

    public override string LanguageUsage => "Which language? /language de or /language en.";

    public override string FormatSet(bool longFormat) => longFormat
        ? "Alerts now carry the whole entry."
        : "Alerts now carry the first 400 characters or so of an entry and a link.";

    public override string FormatUsage => "Which format? /format short or /format long.";

    public override string NoSources => "No sources are configured.";

    public override string SourcesHeader => "Sources (restrict a query to one with source:ID):";

    public override string AdminsOnly => "In groups only chat administrators can change subscriptions.";

    public override string AdminCheckFailed => "I could not check whether you are an administrator of this chat (Telegram did not answer). Please try again in a minute.";

    public override string ChannelNeedsPermission => "Changing a channel's alerts needs the Manage Channels permission.";

    public override string HereOnlyInServer => "here:true works in a server channel only. In a DM, leave it out: alerts then come to you directly.";

    public override string WhoAreYou => "Discord did not say who you are; please try again.";

    public override string SomethingFailed => "Sorry, that did not work because of an error on my side. Please try again in a minute.";

    public override string FiredBy(int number, string query) => number > 0 ? $"Subscription #{number}: {query}" : $"Subscription: {query}";

    public override string OpenEntry => "Open entry";

    public override string MuteHourButton => "🔕 1 hour";

    public override string MuteMorningButton => "🔕 Until 7:00";

    public override string EndButton => "✖ End";

    public override string UndoButton => "↩ Undo";

    public override string MutedUntilButton(string until) => $"🔕 Muted until {until}";

    public override string EndedButton => "✖ Ended";

    public override string MutedToast(int number, string until) => $"#{number} muted until {until}.";

    public override string UnmutedToast(int number) => $"#{number} is on again.";

    public override string EndedToast(int number, string query) => $"Ended #{number}: {query}";

    public override string RestoredToast(string query) => $"Back again: {query}";

    public override string NotThisChatsSubscription => "That subscription no longer exists in this chat.";

    public override string UndoExpired => "Too late to undo; subscribe again with /subscribe.";

    public override string MoreMatched(int count) => count == 1 ? "… and 1 more entry matched." : $"… and {count} more entries matched.";

    public override string DmRefusedNotice => "⚠️ Discord refused my last direct message to you, so alerts were not arriving. I will try again with the next alert; allow direct messages from this server's members if they keep failing.";
}
