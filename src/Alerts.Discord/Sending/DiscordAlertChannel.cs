using Alerts.Core.Delivery;
using Alerts.Core.Subscriptions;
using Alerts.Discord.Rendering;
using Alerts.Discord.Rest;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Discord.Sending;

/// <summary>
/// Delivers alerts as one embed per message: to a user by DM (<c>discord-user</c>, the DM channel created lazily) or
/// to a channel (<c>discord-channel</c>). Maps Discord's answers to <see cref="SendResult"/>s (SPEC §6) and never throws
/// for them.
/// </summary>
public sealed partial class DiscordAlertChannel(
    IServiceScopeFactory scopes,
    DiscordDmChannels dmChannels,
    IOptions<DiscordOptions> options,
    ILogger<DiscordAlertChannel> logger) : IAlertChannel
{
    /// <summary>Discord error codes meaning the recipient is gone for good.</summary>
    private const int CannotSendToUser = 50007;
    private const int UnknownChannel = 10003;
    private const int UnknownUser = 10013;
    private const int UnknownMessage = 10008;

    /// <summary>
    /// Global: Discord's 50 requests per second (declared so that the dispatcher keeps all instances under it together).
    /// Per subscriber: a channel's message bucket is 5 per 5 seconds at the time of writing; the real bucket headers
    /// still win (an exhausted bucket comes back as <see cref="SendResult.RateLimited"/> without calling Discord).
    /// </summary>
    public ChannelLimits Limits { get; } = new(
        new RateLimitRule(DiscordRateLimiter.GlobalPerSecond, TimeSpan.FromSeconds(1)),
        new RateLimitRule(5, TimeSpan.FromSeconds(5)),
        null);

    /// <summary>None while the adapter is off (no bot token), so the dispatcher does not route alerts here.</summary>
    public IReadOnlyCollection<string> Platforms { get; } = options.Value.IsEnabled
        ? [Core.Subscriptions.Platforms.DiscordUser, Core.Subscriptions.Platforms.DiscordChannel]
        : [];

    /// <summary>A backlog goes out as up to 10 compact embeds in one message (<see cref="DiscordBacklogRenderer"/>).</summary>
    public int MaxCombined => DiscordBacklogRenderer.MaxAlerts;

    public async Task<SendResult> SendAsync(OutboxAlert alert, AlertContext context, Subscriber to, CancellationToken cancellationToken) =>
        await SendAsync(await RenderAsync(alert, context, to, cancellationToken).ConfigureAwait(false), alert.Id, to, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// <c>PATCH</c> of the alert's message (in the channel, or the DM channel, it went to) with the alert rendered as it is
    /// sent now, buttons included: the embed follows its entry (SPEC §4). A message that is gone (10008) or that Discord
    /// refuses to change is a permanent failure of the edit only; the subscriber stays as it is.
    /// </summary>
    public async Task<SendResult> EditAsync(OutboxAlert alert, AlertContext context, Subscriber to, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        if (alert.Message is not { } sent)
        {
            return new SendResult.Permanent("no Discord message to edit");
        }

        try
        {
            var message = await RenderAsync(alert, context, to, cancellationToken).ConfigureAwait(false);
            using var scope = scopes.CreateScope();
            var client = scope.ServiceProvider.GetRequiredService<DiscordRestClient>();
            var edited = await client.EditMessageAsync(sent.Chat, sent.Id, message(), cancellationToken).ConfigureAwait(false);
            return edited.IsSuccess ? new SendResult.Sent(sent)
                : edited.Failure is { Status: 404 } or { Code: UnknownMessage } ? new SendResult.Permanent($"edit: {edited.Failure}")
                : Map(edited.Failure!, "edit");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            LogUnexpected(ex, alert.Id);
            return new SendResult.Transient($"{ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>The alert's embed with the buttons of the subscription that fired (SPEC §4: mute it, or end it); none when it is gone.</summary>
    private async Task<Func<DiscordMessage>> RenderAsync(OutboxAlert alert, AlertContext context, Subscriber to, CancellationToken cancellationToken)
    {
        var (number, subscription, buttons) = await FindFiringSubscriptionAsync(alert, to, cancellationToken).ConfigureAwait(false);
        return () => new DiscordMessage(
            embeds: [DiscordAlertRenderer.Render(alert, context, ChatTexts.For(to), number, to.LongFormat)],
            components: subscription is null ? null : DiscordReplyRenderer.Components([buttons]));
    }

    /// <summary>
    /// The subscription that fired, its number in the subscriber's list and its buttons: the first with the alert's
    /// query (saved queries are canonical) whose source fits. None when it was ended meanwhile or the store is absent.
    /// </summary>
    private async Task<(int Number, Subscription? Subscription, IReadOnlyList<ChatButton> Buttons)> FindFiringSubscriptionAsync(OutboxAlert alert, Subscriber to, CancellationToken cancellationToken)
    {
        using var scope = scopes.CreateScope();
        if (scope.ServiceProvider.GetService<ISubscriptionStore>() is not { } store || scope.ServiceProvider.GetService<ISubscriptionCommands>() is not { } commands)
        {
            return (0, null, []);
        }

        try
        {
            var list = await store.ListSubscriptionsAsync(to.Id, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < list.Count; i++)
            {
                if (list[i].Query == alert.Query && (list[i].SourceId is null || string.Equals(list[i].SourceId, alert.SourceId, StringComparison.OrdinalIgnoreCase)))
                {
                    return (i + 1, list[i], commands.AlertButtons(to, list[i]));
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The alert still goes out, without its number and buttons.
            LogUnexpected(ex, alert.Id);
        }

        return (0, null, []);
    }

    public Task<SendResult> SendCombinedAsync(IReadOnlyList<OutboxAlert> alerts, AlertContext context, Subscriber to, CancellationToken cancellationToken) =>
        SendAsync(() => new DiscordMessage(embeds: DiscordBacklogRenderer.Render(alerts, context)), alerts[0].Id, to, cancellationToken);

    private async Task<SendResult> SendAsync(Func<DiscordMessage> render, long alertId, Subscriber to, CancellationToken cancellationToken)
    {
        try
        {
            using var scope = scopes.CreateScope();
            var client = scope.ServiceProvider.GetRequiredService<DiscordRestClient>();
            var message = render();
            string channelId;
            switch (to.Platform)
            {
                case Core.Subscriptions.Platforms.DiscordChannel:
                    channelId = to.Address;
                    break;
                case Core.Subscriptions.Platforms.DiscordUser:
                    var dm = await dmChannels.GetOrCreateAsync(to.Address, client, cancellationToken).ConfigureAwait(false);
                    if (!dm.IsSuccess)
                    {
                        return Map(dm.Failure!, "DM channel");
                    }

                    channelId = dm.Id!;
                    break;
                default:
                    return new SendResult.Permanent($"platform '{to.Platform}' is not Discord");
            }

            var sent = await client.CreateMessageAsync(channelId, message, cancellationToken).ConfigureAwait(false);
            if (sent.IsSuccess)
            {
                return new SendResult.Sent(sent.Id is null ? null : new PlatformMessage(channelId, sent.Id));
            }

            if (to.Platform == Core.Subscriptions.Platforms.DiscordUser && sent.Failure!.Code == UnknownChannel)
            {
                // The cached DM channel is gone, not the user: open a new one on the next attempt.
                await dmChannels.ForgetAsync(to.Address, cancellationToken).ConfigureAwait(false);
                return new SendResult.Transient("DM channel unknown; it will be opened again");
            }

            return Map(sent.Failure!, "message");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // A store or programming error must not stall the dispatcher; the alert is retried.
            LogUnexpected(ex, alertId);
            return new SendResult.Transient($"{ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>How long all sends pause after a 401: the token is wrong for every alert, not for this one.</summary>
    internal static readonly TimeSpan UnauthorizedPause = TimeSpan.FromMinutes(1);

    /// <summary>
    /// 403 and 50007 deactivate (SPEC §6); so do unknown channels and users; 5xx and timeouts retry; other 4xx fail.
    /// A 401 means the bot token is wrong: failing the alert would lose it, so the whole channel pauses instead
    /// (one request a minute, far from the invalid-request limit) until the operator fixes the token.
    /// </summary>
    internal static SendResult Map(DiscordFailure failure, string what) => failure switch
    {
        { Kind: DiscordFailureKind.RateLimited } => new SendResult.RateLimited(failure.RetryAfter, failure.Global, failure.Message),
        { Kind: DiscordFailureKind.Transient } => new SendResult.Transient($"{what}: {failure}"),
        { Status: 401 } => new SendResult.RateLimited(UnauthorizedPause, true, $"{what}: 401 Unauthorized, check Alerts:Discord:BotToken"),
        { Status: 403 } or { Code: CannotSendToUser } => new SendResult.SubscriberGone($"{what}: {failure}"),
        { Status: 404, Code: UnknownChannel or UnknownUser } => new SendResult.SubscriberGone($"{what}: {failure}"),
        _ => new SendResult.Permanent($"{what}: {failure}"),
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Discord: unexpected error sending alert {AlertId}")]
    private partial void LogUnexpected(Exception ex, long alertId);
}
