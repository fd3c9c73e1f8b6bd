using Alerts.Core.Delivery;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types.Enums;

namespace Alerts.Telegram;

/// <summary>
/// Start-up (getMe, setMyCommands, setWebhook or deleteWebhook) and, in polling mode, the getUpdates loop.
/// Nothing here stops the host: Telegram being unreachable is logged and retried with backoff.
/// </summary>
internal sealed partial class TelegramBotService(
    ITelegramBotClient bot,
    TelegramUpdateProcessor processor,
    TelegramBotIdentity identity,
    IOptions<TelegramOptions> options,
    TimeProvider time,
    ILogger<TelegramBotService> logger,
    ILeaseStore? leases = null) : BackgroundService
{
    internal static readonly UpdateType[] AllowedUpdates = [UpdateType.Message, UpdateType.CallbackQuery, UpdateType.MyChatMember];

    internal const string LeaseName = "telegram:poll";

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(1);

    /// <summary>Pause after an empty answer that came back early (short polling, or a server that ignores the long-poll timeout).</summary>
    internal static readonly TimeSpan IdleDelay = TimeSpan.FromMilliseconds(300);

    /// <summary>On shutdown, how long accepted updates may still take to be handled.</summary>
    internal static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(5);

    private readonly TelegramOptions options = options.Value;
    // Stable across restarts of the same machine (container): a restarted instance takes its own lease back at
    // once instead of waiting for the dead process's lease to expire.
    private readonly string leaseOwner = $"{Environment.MachineName}:telegram-poller";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await StartUpAsync(stoppingToken).ConfigureAwait(false);
        if (options.Mode == TelegramMode.Polling)
        {
            await PollAsync(stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task StartUpAsync(CancellationToken ct)
    {
        var username = await identity.GetUsernameAsync(ct).ConfigureAwait(false);
        LogStarting(logger, options.Mode, username ?? "(getMe failed)");

        await TryAsync("setMyCommands", () => TelegramCommands.RegisterMenusAsync(bot, ct), ct).ConfigureAwait(false);
        if (options.Mode == TelegramMode.Polling)
        {
            // getUpdates answers 409 while a webhook is set; pending updates stay queued.
            await TryAsync("deleteWebhook", () => bot.DeleteWebhook(dropPendingUpdates: false, cancellationToken: ct), ct).ConfigureAwait(false);
        }
        else if (!string.IsNullOrWhiteSpace(options.WebhookUrl))
        {
            await TryAsync("setWebhook", () => bot.SetWebhook(
                options.WebhookUrl,
                allowedUpdates: AllowedUpdates,
                secretToken: options.WebhookSecret,
                cancellationToken: ct), ct).ConfigureAwait(false);
        }
        else
        {
            LogWebhookNotRegistered(logger);
        }
    }

    private async Task PollAsync(CancellationToken ct)
    {
        try
        {
            await PollLoopAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            await processor.DrainAsync(DrainGrace).ConfigureAwait(false);
            if (leases is not null)
            {
                try
                {
                    await leases.ReleaseAsync(LeaseName, leaseOwner, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    LogPollFailed(logger, TimeSpan.Zero, $"releasing the poll lease: {e.Message}");
                }
            }
        }
    }

    private async Task PollLoopAsync(CancellationToken ct)
    {
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (leases is not null
                    && !await leases.TryAcquireAsync(LeaseName, leaseOwner, time.GetUtcNow(), TimeSpan.FromSeconds(options.PollingTimeoutSeconds + 30), ct).ConfigureAwait(false))
                {
                    // Only one instance may call getUpdates (Telegram answers 409 to the others).
                    await Task.Delay(TimeSpan.FromSeconds(5), time, ct).ConfigureAwait(false);
                    continue;
                }

                var last = await processor.GetLastHandledAsync(ct).ConfigureAwait(false);
                var started = time.GetTimestamp();
                var updates = await bot.GetUpdates(
                    offset: last is { } l ? (int)(l + 1) : null,
                    limit: 100,
                    timeout: options.PollingTimeoutSeconds,
                    allowedUpdates: AllowedUpdates,
                    cancellationToken: ct).ConfigureAwait(false);
                failures = 0;

                // Handed to the chats' lanes, not awaited: the next getUpdates need not wait for replies to go out.
                await processor.AcceptAsync(updates, ct).ConfigureAwait(false);

                if (updates.Length == 0 && time.GetElapsedTime(started) < TimeSpan.FromSeconds(options.PollingTimeoutSeconds / 2.0))
                {
                    await Task.Delay(IdleDelay, time, ct).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                failures++;
                var delay = Backoff(failures, e);
                LogPollFailed(logger, delay, Describe(e));
                try
                {
                    await Task.Delay(delay, time, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    internal static TimeSpan Backoff(int failures, Exception e)
    {
        if (e is ApiRequestException { ErrorCode: 429, Parameters.RetryAfter: { } retryAfter })
        {
            return TimeSpan.FromSeconds(retryAfter);
        }

        var seconds = Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, Math.Min(failures - 1, 10)));
        return TimeSpan.FromSeconds(seconds);
    }

    private async Task TryAsync(string what, Func<Task> call, CancellationToken ct)
    {
        try
        {
            await call().ConfigureAwait(false);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            LogStartupCallFailed(logger, what, Describe(e));
        }
    }

    private string Describe(Exception e) => TelegramErrors.Redact(e is ApiRequestException a ? $"{a.ErrorCode}: {a.Message}" : $"{e.GetType().Name}: {e.Message}", options.BotToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Telegram adapter starting in {Mode} mode as @{Username}")]
    private static partial void LogStarting(ILogger logger, TelegramMode mode, string username);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telegram {Call} at start-up failed, continuing: {Error}")]
    private static partial void LogStartupCallFailed(ILogger logger, string call, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook mode without Alerts:Telegram:WebhookUrl: register the webhook yourself (setWebhook with secret_token)")]
    private static partial void LogWebhookNotRegistered(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telegram getUpdates failed, retrying in {Delay}: {Error}")]
    private static partial void LogPollFailed(ILogger logger, TimeSpan delay, string error);
}
