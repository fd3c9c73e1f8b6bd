namespace Alerts.Core.Delivery;

/// <summary>
/// One durable outbox row: exactly one per (subscriber, source, item key) (SPEC §4, §6).
/// Stored in the same transaction as the seen-set update that discovered the item.
/// </summary>
/// <param name="Message">
/// Where the platform put this alert when it went out alone; set on a row that is due again, it makes the row an edit of
/// that message (the entry was updated, SPEC §4), never a second alert.
/// </param>
/// <param name="Revision">Counts the entry's updates; the settler hands it back so that an update made during the send is not lost.</param>
public sealed record OutboxAlert(
    long Id,
    string SubscriberId,
    string SourceId,
    string ItemKey,
    DateTimeOffset Published,
    string Headline,
    string Body,
    string? Url,
    string Query,
    IReadOnlyList<string> Matched,
    DateTimeOffset EnqueuedAt,
    int Attempts = 0,
    PlatformMessage? Message = null,
    int Revision = 0)
{
    /// <summary>The alert went out already: this row brings its message up to date with the entry.</summary>
    public bool IsEdit => Message is not null;
}

/// <summary>
/// A message as the platform identifies it, for editing it later: Telegram's chat id and <c>message_id</c>, Discord's
/// channel id (a DM's channel for a user) and message id.
/// </summary>
public sealed record PlatformMessage(string Chat, string Id);

public enum OutboxStatus
{
    Pending,
    Sent,
    Failed,
}
