namespace Alerts.Core.Subscriptions;

/// <summary>
/// The meaning of the chat commands and buttons of SPEC §4–§5, shared by Telegram and Discord, in the subscriber's
/// language (<see cref="Subscriber.EffectiveLanguage"/>; adapters set <see cref="Subscriber.DetectedLanguage"/> from
/// the writer's client). Adapters decide who may run a command (group admins, Manage Channels), ensure the subscriber
/// exists, and render the reply (escaping its plain text for their platform).
/// </summary>
public interface ISubscriptionCommands
{
    /// <summary>Parses and saves the query; the reply echoes it as understood, or gives the parser's error with its position.</summary>
    Task<CommandReply> SubscribeAsync(Subscriber subscriber, string query, string? sourceId, CancellationToken cancellationToken = default);

    /// <summary>By list numbers (<c>2 5 7</c>, <c>4-10</c>), <c>all</c>, or the query text compared in canonical form.</summary>
    Task<CommandReply> UnsubscribeAsync(Subscriber subscriber, string which, CancellationToken cancellationToken = default);

    /// <summary>The numbered list with the chat's state (paused, muted, quiet hours) and buttons per subscription.</summary>
    Task<CommandReply> ListAsync(Subscriber subscriber, CancellationToken cancellationToken = default);

    /// <summary>What the last items of each source would have matched, without saving anything.</summary>
    Task<CommandReply> PreviewAsync(Subscriber subscriber, string query, string? sourceId, CancellationToken cancellationToken = default);

    Task<CommandReply> PauseAsync(Subscriber subscriber, CancellationToken cancellationToken = default);

    Task<CommandReply> ResumeAsync(Subscriber subscriber, CancellationToken cancellationToken = default);

    /// <summary><c>/stop</c>: asks with a confirm button; the button (<see cref="ChatAction.Stop"/>) ends every subscription.</summary>
    Task<CommandReply> StopAsync(Subscriber subscriber, CancellationToken cancellationToken = default);

    /// <summary><c>/mute 2h</c> (<c>30m</c>, <c>1d</c>, <c>off</c>): no alerts to the chat for a while.</summary>
    Task<CommandReply> MuteAsync(Subscriber subscriber, string duration, CancellationToken cancellationToken = default);

    /// <summary><c>/quiet 22-07</c> (or <c>off</c>): alerts in those local hours arrive without sound.</summary>
    Task<CommandReply> QuietAsync(Subscriber subscriber, string hours, CancellationToken cancellationToken = default);

    Task<CommandReply> SetTimeZoneAsync(Subscriber subscriber, string zone, CancellationToken cancellationToken = default);

    Task<CommandReply> SetLanguageAsync(Subscriber subscriber, string language, CancellationToken cancellationToken = default);

    Task<CommandReply> SetFormatAsync(Subscriber subscriber, string format, CancellationToken cancellationToken = default);

    /// <summary>
    /// Offers to subscribe to <paramref name="query"/> with a button: a query shared through a deep link
    /// (<paramref name="shared"/>) or the words of a plain message, with how many entries of the last 24 hours matched.
    /// </summary>
    Task<CommandReply> OfferAsync(Subscriber subscriber, string query, bool shared, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs a pressed button. The action comes from the user's client: it is checked against the subscriber's own
    /// subscriptions here; whether the presser may change things (group admins) is the adapter's check.
    /// <paramref name="numbered"/> says the pressed row belongs to a list, whose buttons name the subscription's number.
    /// </summary>
    Task<ButtonOutcome> PressAsync(Subscriber subscriber, ChatAction action, bool numbered, CancellationToken cancellationToken = default);

    CommandReply Sources(Subscriber subscriber);

    /// <summary>Explains the query language; <paramref name="commandSyntax"/> says how this platform writes a subscribe command (<c>/subscribe</c> or <c>/subscribe query:</c>).</summary>
    CommandReply Help(Subscriber subscriber, string commandSyntax);

    /// <summary>The short welcome of <c>/start</c> with three one-tap examples and a help button.</summary>
    CommandReply Start(Subscriber subscriber);

    /// <summary>The buttons under an alert fired by <paramref name="subscription"/> (mute an hour, until the morning, end).</summary>
    IReadOnlyList<ChatButton> AlertButtons(Subscriber subscriber, Subscription subscription);
}

/// <summary>
/// A reply in plain text (the adapter escapes it). <see cref="Emphasis"/> lists substrings the adapter may set in bold;
/// <see cref="Preformatted"/> is shown after the text in a monospace block (a query with a caret under an error);
/// <see cref="Buttons"/> are rows of buttons under the message. With <see cref="EmphasisEverywhere"/> every whole-word
/// occurrence of an emphasised word is bold (matched words, as in alerts); otherwise each part once, in order.
/// </summary>
public sealed record CommandReply(
    bool Success,
    string Text,
    IReadOnlyList<string>? Emphasis = null,
    string? Preformatted = null,
    IReadOnlyList<IReadOnlyList<ChatButton>>? Buttons = null,
    bool EmphasisEverywhere = false)
{
    public static CommandReply Ok(string text) => new(true, text);

    public static CommandReply Error(string text) => new(false, text);
}

/// <summary>
/// What a button press did: a short <see cref="Toast"/> for the presser, the buttons that replace the pressed row
/// (<see cref="Row"/>: null leaves the keyboard alone, empty removes the row), and an optional <see cref="Reply"/>
/// sent as a new message (the query help, the result of a subscribe).
/// </summary>
public sealed record ButtonOutcome(string Toast, IReadOnlyList<ChatButton>? Row = null, CommandReply? Reply = null, bool Changed = true);
