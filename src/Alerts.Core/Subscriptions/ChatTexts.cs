using System.Globalization;

namespace Alerts.Core.Subscriptions;

/// <summary>
/// Every sentence the bot says, in one language: one catalogue per language (<see cref="EnglishTexts"/>,
/// <see cref="GermanTexts"/>), so that a message is always in one language and a new sentence is written in both
/// places or the build fails. Texts are plain (adapters escape them); <c>{c}</c> below means the platform's
/// command prefix (<c>/</c> on both platforms).
/// </summary>
public abstract class ChatTexts
{
    public static ChatTexts English { get; } = new EnglishTexts();

    public static ChatTexts German { get; } = new GermanTexts();

    public static ChatTexts For(string? language) => language == ChatLanguage.German ? German : English;

    public static ChatTexts For(Subscriber subscriber) => For(subscriber?.EffectiveLanguage);

    public abstract string Language { get; }

    public abstract CultureInfo Culture { get; }

    /// <summary>The three one-tap examples of <c>/start</c>: what the button says and the query it saves.</summary>
    public abstract IReadOnlyList<(string Label, string Query)> Examples { get; }

    // Start, help and offers
    public abstract string StartIntro(string botName);

    public abstract string HelpButton { get; }

    public abstract string Help(string subscribe, SubscriptionLimits limits);

    public abstract string CommandOverview(IReadOnlyList<(string Command, string Description)> commands);

    public abstract string OfferShared(string query);

    public abstract string OfferPlain(string query, int matchesLast24Hours);

    public abstract string SubscribeButton { get; }

    public abstract string OfferExpired { get; }

    public abstract string OnlyCommands { get; }

    public abstract string UnknownCommand(string command);

    public abstract string Usage(string syntax, string example);

    // Subscribing
    public abstract string Subscribed(int number, string query, string? source);

    public abstract string AlreadySubscribed(int number, string query, string? source);

    public abstract string LimitReached(int max);

    public abstract string PausedNote { get; }

    public abstract string UnknownSource(string id, IReadOnlyList<string> valid);

    public abstract string QueryError(string reason, int position);

    public abstract string OperatorHint(string written, string meant, string corrected);

    public abstract string SaveCorrected(string corrected);

    public abstract string SaveAsWritten { get; }

    // Removing
    public abstract string UnsubscribeWhich { get; }

    public abstract string NoSubscriptions { get; }

    public abstract string NoSuchNumber(int number, int count);

    public abstract string NoSuchQuery(string query);

    public abstract string Unsubscribed(IReadOnlyList<(int Number, string Query)> removed);

    public abstract string StopAsk(int count);

    public abstract string StopYes { get; }

    public abstract string StopNo { get; }

    public abstract string Stopped(int count);

    public abstract string StopCancelled { get; }

    // Listing
    public abstract string ListHeader(int count, int max, bool channel);

    public abstract string ListEmpty { get; }

    public abstract string SourceAll { get; }

    public abstract string Source(string? source);

    public abstract string MutedUntilNote(string until);

    public abstract string PausedState { get; }

    public abstract string ChatMutedState(string until);

    public abstract string QuietState(string quiet, string zone);

    public abstract string DmRefusedState { get; }

    // Preview
    public abstract string PreviewNone(string query, int looked, int sources);

    public abstract string PreviewHeader(string query, int matched, int looked, int shown);

    public abstract string PreviewFooter { get; }

    // Settings
    public abstract string Paused { get; }

    public abstract string Resumed { get; }

    public abstract string Muted(string until);

    public abstract string Unmuted { get; }

    public abstract string MuteUsage { get; }

    public abstract string QuietSet(string quiet, string zone);

    public abstract string QuietOff { get; }

    public abstract string QuietUsage { get; }

    public abstract string TimeZoneSet(string zone, string localNow);

    public abstract string TimeZoneUnknown(string input);

    public abstract string LanguageSet { get; }

    public abstract string LanguageUsage { get; }

    public abstract string FormatSet(bool longFormat);

    public abstract string FormatUsage { get; }

    public abstract string NoSources { get; }

    public abstract string SourcesHeader { get; }

    // Groups
    public abstract string AdminsOnly { get; }

    public abstract string AdminCheckFailed { get; }

    public abstract string ChannelNeedsPermission { get; }

    public abstract string HereOnlyInServer { get; }

    public abstract string WhoAreYou { get; }

    public abstract string SomethingFailed { get; }

    // Alerts and their buttons
    public abstract string FiredBy(int number, string query);

    public abstract string OpenEntry { get; }

    public abstract string MuteHourButton { get; }

    public abstract string MuteMorningButton { get; }

    public abstract string EndButton { get; }

    public abstract string UndoButton { get; }

    public abstract string MutedUntilButton(string until);

    public abstract string EndedButton { get; }

    public abstract string MutedToast(int number, string until);

    public abstract string UnmutedToast(int number);

    public abstract string EndedToast(int number, string query);

    public abstract string RestoredToast(string query);

    public abstract string NotThisChatsSubscription { get; }

    /// <summary>An undo button pressed after its data expired (<see cref="SubscriptionCommands.ButtonDataLifetime"/>).</summary>
    public abstract string UndoExpired { get; }

    public abstract string MoreMatched(int count);

    public abstract string DmRefusedNotice { get; }

    /// <summary>The reason of a query error in this language; the parser words its reasons in English.</summary>
    public virtual string Reason(string englishReason) => englishReason;

    protected static string Join(IEnumerable<string> lines) => string.Join("\n", lines);
}
