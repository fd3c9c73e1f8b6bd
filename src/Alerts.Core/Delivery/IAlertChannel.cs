using Alerts.Core.Subscriptions;

namespace Alerts.Core.Delivery;

/// <summary>
/// A platform that can deliver alerts (Telegram, Discord, console). Each channel renders
/// for its own platform and declares its own rate limits; the dispatcher enforces them.
/// </summary>
public interface IAlertChannel
{
    /// <summary>The <see cref="Subscriber.Platform"/> values this channel delivers to.</summary>
    IReadOnlyCollection<string> Platforms { get; }

    ChannelLimits Limits { get; }

    /// <summary>Sends one alert. Never throws for platform errors: they come back as a <see cref="SendResult"/>.</summary>
    Task<SendResult> SendAsync(OutboxAlert alert, AlertContext context, Subscriber to, CancellationToken cancellationToken);

    /// <summary>
    /// How many waiting alerts of one subscriber this channel can put into one message (SPEC §4: a backlog held back
    /// by the subscriber's own limit goes out as one message). 1: every alert goes alone.
    /// </summary>
    int MaxCombined => 1;

    /// <summary>
    /// Sends 2 to <see cref="MaxCombined"/> alerts of one subscriber, oldest first, as one message within the platform's
    /// length limits. Never throws for platform errors. Only called when <see cref="MaxCombined"/> is above 1.
    /// </summary>
    Task<SendResult> SendCombinedAsync(IReadOnlyList<OutboxAlert> alerts, AlertContext context, Subscriber to, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{GetType().Name} sends every alert alone (MaxCombined = 1).");

    /// <summary>
    /// Brings the message <see cref="OutboxAlert.Message"/> (which this channel returned with <see cref="SendResult.Sent"/>)
    /// up to date with the alert's entry, rendered as <see cref="SendAsync"/> renders it, buttons included (SPEC §4: an
    /// alert follows its entry). A message the platform says is unchanged counts as <see cref="SendResult.Sent"/>; one it
    /// cannot edit any more (deleted, too old) is <see cref="SendResult.Permanent"/>. Never throws for platform errors.
    /// </summary>
    Task<SendResult> EditAsync(OutboxAlert alert, AlertContext context, Subscriber to, CancellationToken cancellationToken) =>
        Task.FromResult<SendResult>(new SendResult.Permanent($"{GetType().Name} cannot edit a message it sent"));
}

/// <summary>What rendering needs beyond the outbox row.</summary>
/// <param name="SourceName">Display name of the source.</param>
/// <param name="TimeZone">The subscriber's time zone, for the time shown in the alert.</param>
public sealed record AlertContext(string SourceName, TimeZoneInfo TimeZone);

/// <summary>A fixed-window allowance: at most <paramref name="PermitLimit"/> sends per <paramref name="Window"/>.</summary>
public sealed record RateLimitRule(int PermitLimit, TimeSpan Window);

/// <summary>
/// A channel's limits (SPEC §6). <see cref="PerGroup"/> applies on top of <see cref="PerSubscriber"/>
/// to subscribers with <see cref="Subscriber.IsGroup"/>. Null means unlimited.
/// </summary>
public sealed record ChannelLimits(RateLimitRule? Global, RateLimitRule? PerSubscriber, RateLimitRule? PerGroup)
{
    public static readonly ChannelLimits None = new(null, null, null);
}

/// <summary>The outcome of one send, as the platform told it.</summary>
public abstract record SendResult
{
    private SendResult()
    {
    }

    /// <summary>
    /// The platform accepted the message. <paramref name="Message"/>: where it put it, when the channel can edit it later
    /// (<see cref="IAlertChannel.EditAsync"/>); null for a channel that cannot.
    /// </summary>
    public sealed record Sent(PlatformMessage? Message) : SendResult;

    /// <summary>429: wait exactly <paramref name="RetryAfter"/>; for this subscriber only unless <paramref name="Global"/>.</summary>
    public sealed record RateLimited(TimeSpan RetryAfter, bool Global, string Reason) : SendResult;

    /// <summary>5xx, timeout, connection error: retry with backoff.</summary>
    public sealed record Transient(string Reason) : SendResult;

    /// <summary>The message can never be delivered (for example 400 Bad Request): ends as failed.</summary>
    public sealed record Permanent(string Reason) : SendResult;

    /// <summary>Blocked, kicked, deactivated, chat not found: deactivate the subscriber; the alert ends as failed.</summary>
    public sealed record SubscriberGone(string Reason) : SendResult;

    /// <summary>Telegram group upgraded to a supergroup: move the subscriber to the new address and resend there.</summary>
    public sealed record Migrated(string NewAddress) : SendResult;
}
