namespace Alerts.Core.Delivery;

/// <summary>
/// One durable outbox row: exactly one per (subscriber, source, item key) (SPEC §4, §6).
/// Stored in the same transaction as the seen-set update that discovered the item.
/// </summary>
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
    int Attempts = 0);

public enum OutboxStatus
{
    Pending,
    Sent,
    Failed,
}
