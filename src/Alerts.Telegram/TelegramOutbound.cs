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

/// <summary>
/// Everything the bot says besides alerts — command replies, button (callback) answers, edits — within the same
/// limits as alerts (SPEC §6): each call takes its permits from the process's <see cref="DeliveryRateLimiter"/> for
/// the Telegram channel, ahead of waiting alerts. A 429 pauses that chat in the limiter (alerts to it wait too) and the
/// call is made again after <c>retry_after</c>, as often as Telegram asks: a reply is never dropped for a 429. Other
/// transient failures are tried <see cref="TransientAttempts"/> times; a permanent one is logged and given up.
/// </summary>
internal sealed partial class TelegramOutbound(
    ITelegramBotClient bot,
    TelegramAlertChannel channel,
    DeliveryRateLimiter limiter,
    TimeProvider time,
    IOptions<TelegramOptions> options,
    ILogger<TelegramOutbound> logger)
{
    internal const int TransientAttempts = 3;

    /// <summary>A sender with a limiter of its own, for a handler built outside the service (tests, tools).</summary>
    internal static TelegramOutbound Unshared(ITelegramBotClient bot, IOptions<TelegramOptions> options) => new(
        bot,
        new TelegramAlertChannel(bot, options, Microsoft.Extensions.Logging.Abstractions.NullLogger<TelegramAlertChannel>.Instance),
        new DeliveryRateLimiter(),
        TimeProvider.System,
        options,
        Microsoft.Extensions.Logging.Abstractions.NullLogger<TelegramOutbound>.Instance);

    /// <summary>Sends an HTML reply to a chat; null when it could not be delivered.</summary>
    public Task<Message?> SendAsync(long chatId, bool isGroup, string html, int? threadId = null, ReplyMarkup? markup = null, ReplyParameters? replyTo = null, CancellationToken cancellationToken = default) =>
        CallAsync<Message>(chatId, isGroup, "reply", async ct => await bot.SendMessage(
            chatId,
            html,
            ParseMode.Html,
            replyParameters: replyTo,
            replyMarkup: markup,
            linkPreviewOptions: new LinkPreviewOptions { IsDisabled = true },
            messageThreadId: threadId,
            cancellationToken: ct).ConfigureAwait(false), cancellationToken);

    /// <summary>Replaces the buttons under a message the bot sent; false when it could not be edited.</summary>
    public async Task<bool> EditMarkupAsync(long chatId, bool isGroup, int messageId, InlineKeyboardMarkup? markup, CancellationToken cancellationToken = default) =>
        await CallAsync<object>(chatId, isGroup, "keyboard edit", async ct =>
        {
            await bot.EditMessageReplyMarkup(chatId, messageId, markup, cancellationToken: ct).ConfigureAwait(false);
            return markup ?? new object();
        }, cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>Answers a button press (the small notice, or just the end of the spinner); false when it failed.</summary>
    public async Task<bool> AnswerCallbackAsync(CallbackQuery query, string? text = null, bool showAlert = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var chat = query.Message?.Chat;
        var chatId = chat?.Id ?? query.From.Id;
        var isGroup = chat?.Type is ChatType.Group or ChatType.Supergroup;
        return await CallAsync<object>(chatId, isGroup, "callback answer", async ct =>
        {
            await bot.AnswerCallbackQuery(query.Id, text, showAlert, cancellationToken: ct).ConfigureAwait(false);
            return query;
        }, cancellationToken).ConfigureAwait(false) is not null;
    }

    private async Task<T?> CallAsync<T>(long chatId, bool isGroup, string what, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
        where T : class
    {
        var to = new Subscriber(
            Subscriber.MakeId(Platforms.Telegram, chatId.ToString(CultureInfo.InvariantCulture)),
            Platforms.Telegram,
            chatId.ToString(CultureInfo.InvariantCulture),
            IsGroup: isGroup);
        var transientFailures = 0;
        while (true)
        {
            await limiter.AcquireForReplyAsync(channel, to, time, cancellationToken).ConfigureAwait(false);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Value.SendTimeout);
            try
            {
                return await call(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                switch (TelegramErrors.ToSendResult(e, options.Value.BotToken))
                {
                    case SendResult.RateLimited limited:
                        // The limiter holds this chat (replies and alerts) for retry_after; the next permit is the retry.
                        limiter.PauseSubscriber(channel, to, time.GetUtcNow() + limited.RetryAfter);
                        LogRateLimited(logger, what, chatId, limited.RetryAfter);
                        continue;
                    case SendResult.Transient transient when ++transientFailures < TransientAttempts:
                        LogRetrying(logger, what, chatId, transient.Reason);
                        await Task.Delay(TimeSpan.FromSeconds(transientFailures), time, cancellationToken).ConfigureAwait(false);
                        continue;
                    case var failed:
                        LogFailed(logger, what, chatId, failed);
                        return null;
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Telegram {What} to chat {ChatId} rate-limited; sent again after {RetryAfter}")]
    private static partial void LogRateLimited(ILogger logger, string what, long chatId, TimeSpan retryAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telegram {What} to chat {ChatId} failed, trying again: {Reason}")]
    private static partial void LogRetrying(ILogger logger, string what, long chatId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telegram {What} to chat {ChatId} failed: {Result}")]
    private static partial void LogFailed(ILogger logger, string what, long chatId, SendResult result);
}
