namespace Alerts.Core.Subscriptions;

/// <summary>
/// The meaning of the chat commands of SPEC §5, shared by Telegram and Discord. Adapters decide who may
/// run a command (group admins, Manage Channels), ensure the subscriber exists, and render the reply
/// (escaping its plain text for their platform).
/// </summary>
public interface ISubscriptionCommands
{
    /// <summary>Parses and saves the query; the reply echoes it as understood, or gives the parser's error with its position.</summary>
    Task<CommandReply> SubscribeAsync(Subscriber subscriber, string query, string? sourceId, CancellationToken cancellationToken = default);

    /// <summary>By list number (as <see cref="ListAsync"/> shows it) or by the query text.</summary>
    Task<CommandReply> UnsubscribeAsync(Subscriber subscriber, string numberOrQuery, CancellationToken cancellationToken = default);

    Task<CommandReply> ListAsync(Subscriber subscriber, CancellationToken cancellationToken = default);

    /// <summary>What the last items of each source would have matched, without saving anything.</summary>
    Task<CommandReply> PreviewAsync(Subscriber subscriber, string query, string? sourceId, CancellationToken cancellationToken = default);

    Task<CommandReply> PauseAsync(Subscriber subscriber, CancellationToken cancellationToken = default);

    Task<CommandReply> ResumeAsync(Subscriber subscriber, CancellationToken cancellationToken = default);

    CommandReply Sources();

    /// <summary>Explains the query language with German and English examples; <paramref name="commandSyntax"/> says how this platform writes a subscribe command (<c>/subscribe</c> or <c>/subscribe query:</c>).</summary>
    CommandReply Help(string commandSyntax);
}

/// <summary>A reply in plain text (the adapter escapes it). <see cref="Emphasis"/> lists substrings the adapter may set in bold.</summary>
public sealed record CommandReply(bool Success, string Text, IReadOnlyList<string>? Emphasis = null)
{
    public static CommandReply Ok(string text) => new(true, text);

    public static CommandReply Error(string text) => new(false, text);
}
