using System.Globalization;
using Alerts.Core.Delivery;
using Alerts.Core.Subscriptions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Telegram.Bot;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;
using Telegram.Bot.Types.ReplyMarkups;

namespace Alerts.Telegram;

/// <summary>Sends alerts to Telegram chats. Never throws: every failure comes back as a <see cref="SendResult"/>.</summary>
internal sealed partial class TelegramAlertChannel(
    ITelegramBotClient bot,
    IOptions<TelegramOptions> options,
    ILogger<TelegramAlertChannel> logger,
    ISubscriptionStore? subscriptions = null,
    ISubscriptionCommands? commands = null,
    TimeProvider? time = null,
    TelegramTopics? topics = null)
    : IAlertChannel
{
    /// <summary>Telegram's broadcast limits (SPEC §6): 30/s overall, 1/s per chat, 20/min per group.</summary>
    public static readonly ChannelLimits TelegramLimits = new(
        Global: new RateLimitRule(30, TimeSpan.FromSeconds(1)),
        PerSubscriber: new RateLimitRule(1, TimeSpan.FromSeconds(1)),
        PerGroup: new RateLimitRule(20, TimeSpan.FromMinutes(1)));

    /// <summary>
    /// With paid broadcasts (<see cref="TelegramOptions.AllowPaidBroadcast"/>) the Bot API lets a bot send up to 1,000
    /// messages per second overall, charged in Stars beyond 30/s; the per-chat limits stay.
    /// </summary>
    public static readonly ChannelLimits PaidBroadcastLimits = TelegramLimits with { Global = new RateLimitRule(1000, TimeSpan.FromSeconds(1)) };

    private readonly TelegramOptions options = options.Value;

    public IReadOnlyCollection<string> Platforms { get; } = [Alerts.Core.Subscriptions.Platforms.Telegram];

    public ChannelLimits Limits { get; } = options.Value.AllowPaidBroadcast ? PaidBroadcastLimits : TelegramLimits;

    /// <summary>A backlog goes out as one message of up to 10 entries (<see cref="TelegramBacklogRenderer"/>).</summary>
    public int MaxCombined => TelegramBacklogRenderer.MaxAlerts;

    public async Task<SendResult> SendAsync(OutboxAlert alert, AlertContext context, Subscriber to, CancellationToken cancellationToken)
    {
        var (number, subscription) = await FindFiringSubscriptionAsync(alert, to, cancellationToken).ConfigureAwait(false);
        var keyboard = Buttons(to, subscription);
        var topic = subscription is not null && topics is not null ? await topics.GetAsync(subscription.Id, cancellationToken).ConfigureAwait(false) : null;
        return await CallAsync(
            "send",
            () => TelegramAlertRenderer.Render(alert, context, ChatTexts.For(to), number, to.LongFormat),
            alert.Id,
            to,
            (chatId, html, ct) => SendMessageAsync(chatId, html, to, keyboard, topic, ct),
            cancellationToken).ConfigureAwait(false);
    }

    public Task<SendResult> SendCombinedAsync(IReadOnlyList<OutboxAlert> alerts, AlertContext context, Subscriber to, CancellationToken cancellationToken) =>
        CallAsync("send", () => TelegramBacklogRenderer.Render(alerts, context), alerts[0].Id, to, (chatId, html, ct) => SendMessageAsync(chatId, html, to, null, null, ct), cancellationToken);

    /// <summary>
    /// <c>editMessageText</c> with the alert rendered as it is sent now, in the chat's current language, format and zone,
    /// with the buttons its subscription shows now (Telegram drops a keyboard an edit does not repeat; an ended
    /// subscription has none). Edits make no sound, so quiet hours do not matter. "Message is not modified" means the
    /// message already shows this: success.
    /// </summary>
    public async Task<SendResult> EditAsync(OutboxAlert alert, AlertContext context, Subscriber to, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        // The chat id is checked and parsed by CallAsync, as for a send.
        if (alert.Message is not { } message || !int.TryParse(message.Id, NumberStyles.None, CultureInfo.InvariantCulture, out var messageId))
        {
            return new SendResult.Permanent($"'{alert.Message}' is not a Telegram message");
        }

        var (number, subscription) = await FindFiringSubscriptionAsync(alert, to, cancellationToken).ConfigureAwait(false);
        var keyboard = Buttons(to, subscription);
        return await CallAsync(
            "edit",
            () => TelegramAlertRenderer.Render(alert, context, ChatTexts.For(to), number, to.LongFormat),
            alert.Id,
            to with { Address = message.Chat },
            async (chatId, html, ct) =>
            {
                await bot.EditMessageText(
                    chatId,
                    messageId,
                    html,
                    ParseMode.Html,
                    linkPreviewOptions: new LinkPreviewOptions { IsDisabled = options.DisableLinkPreviews },
                    replyMarkup: keyboard,
                    cancellationToken: ct).ConfigureAwait(false);
                return new SendResult.Sent(message);
            },
            cancellationToken,
            failure => TelegramErrors.IsNotModified(failure) ? new SendResult.Sent(message) : null).ConfigureAwait(false);
    }

    /// <summary>Buttons under every alert (SPEC §4): mute the subscription that fired, or end it; none when it is gone.</summary>
    private InlineKeyboardMarkup? Buttons(Subscriber to, Subscription? subscription) =>
        subscription is not null && commands is not null ? TelegramKeyboards.From([commands.AlertButtons(to, subscription)]) : null;

    private async Task<SendResult> SendMessageAsync(long chatId, string html, Subscriber to, InlineKeyboardMarkup? keyboard, int? topic, CancellationToken cancellationToken)
    {
        var message = await bot.SendMessage(
            chatId,
            html,
            ParseMode.Html,
            linkPreviewOptions: new LinkPreviewOptions { IsDisabled = options.DisableLinkPreviews },
            replyMarkup: keyboard,
            messageThreadId: topic,
            // Quiet hours deliver without sound instead of dropping (SPEC §5).
            disableNotification: to.IsQuietAt((time ?? TimeProvider.System).GetUtcNow()),
            allowPaidBroadcast: options.AllowPaidBroadcast,
            cancellationToken: cancellationToken).ConfigureAwait(false);
        return new SendResult.Sent(new PlatformMessage(chatId.ToString(CultureInfo.InvariantCulture), message.Id.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>
    /// Renders, then makes one Bot API call (<paramref name="what"/>, for the log) within the send timeout, and maps what Telegram answered;
    /// <paramref name="special"/> may read a failure first (null: the usual mapping).
    /// </summary>
    private async Task<SendResult> CallAsync(
        string what,
        Func<string> render,
        long alertId,
        Subscriber to,
        Func<long, string, CancellationToken, Task<SendResult>> call,
        CancellationToken cancellationToken,
        Func<Exception, SendResult?>? special = null)
    {
        if (!long.TryParse(to.Address, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var chatId))
        {
            return new SendResult.Permanent($"'{to.Address}' is not a Telegram chat id");
        }

        string html;
        try
        {
            html = render();
        }
        catch (Exception e)
        {
            return new SendResult.Permanent($"rendering failed: {e.Message}");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.SendTimeout);
        try
        {
            return await call(chatId, html, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            var result = cancellationToken.IsCancellationRequested
                ? new SendResult.Transient("cancelled (shutting down)")
                : special?.Invoke(e) ?? TelegramErrors.ToSendResult(e, options.BotToken);
            if (result is not SendResult.Sent)
            {
                LogCallFailed(logger, what, alertId, to.Id, result);
            }

            return result;
        }
    }

    /// <summary>
    /// The subscription that fired, and its number in the chat's list: the first one with the alert's query (saved
    /// queries are canonical, so equal text is the same query) whose source fits. None when it was ended meanwhile.
    /// </summary>
    private async Task<(int Number, Subscription? Subscription)> FindFiringSubscriptionAsync(OutboxAlert alert, Subscriber to, CancellationToken cancellationToken)
    {
        if (subscriptions is null)
        {
            return (0, null);
        }

        try
        {
            var list = await subscriptions.ListSubscriptionsAsync(to.Id, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < list.Count; i++)
            {
                if (list[i].Query == alert.Query && (list[i].SourceId is null || string.Equals(list[i].SourceId, alert.SourceId, StringComparison.OrdinalIgnoreCase)))
                {
                    return (i + 1, list[i]);
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The alert still goes out, without its number and buttons.
            LogLookupFailed(logger, alert.Id, e.Message);
        }

        return (0, null);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not look up the subscription of alert {AlertId}: {Error}")]
    private static partial void LogLookupFailed(ILogger logger, long alertId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telegram {What} of alert {AlertId} to {SubscriberId} failed: {Result}")]
    private static partial void LogCallFailed(ILogger logger, string what, long alertId, string subscriberId, SendResult result);
}
