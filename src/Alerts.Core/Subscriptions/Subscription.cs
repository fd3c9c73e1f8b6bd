namespace Alerts.Core.Subscriptions;

/// <summary>One saved query of one subscriber, optionally restricted to one source (SPEC §3).</summary>
/// <param name="MutedUntil">Set by an alert's mute button: this subscription sends nothing before then.</param>
public sealed record Subscription(long Id, string SubscriberId, string Query, string? SourceId, DateTimeOffset CreatedAt, DateTimeOffset? MutedUntil = null)
{
    public bool IsMutedAt(DateTimeOffset now) => MutedUntil is { } until && until > now;
}
