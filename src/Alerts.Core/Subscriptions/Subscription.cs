namespace Alerts.Core.Subscriptions;

/// <summary>One saved query of one subscriber, optionally restricted to one source (SPEC §3).</summary>
public sealed record Subscription(long Id, string SubscriberId, string Query, string? SourceId, DateTimeOffset CreatedAt);
