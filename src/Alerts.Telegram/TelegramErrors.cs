using System.Net.Http;
using Alerts.Core.Delivery;
using Telegram.Bot.Exceptions;

namespace Alerts.Telegram;

/// <summary>Maps what the Bot API answered (or did not) to a <see cref="SendResult"/> (SPEC §6).</summary>
internal static class TelegramErrors
{
    public static SendResult ToSendResult(Exception exception, string token) => exception switch
    {
        ApiRequestException { ErrorCode: 429 } e => new SendResult.RateLimited(
            TimeSpan.FromSeconds(Math.Max(1, e.Parameters?.RetryAfter ?? 1)), Global: false, Reason(e, token)),
        ApiRequestException { Parameters.MigrateToChatId: { } newId } => new SendResult.Migrated(newId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ApiRequestException { ErrorCode: 403 } e => new SendResult.SubscriberGone(Reason(e, token)),
        ApiRequestException { ErrorCode: 400 } e when IsChatGone(e.Message) => new SendResult.SubscriberGone(Reason(e, token)),

        // 401/404 mean the token is wrong or revoked: the operator must fix it, the alerts must wait, not fail.
        ApiRequestException { ErrorCode: 401 or 404 } e => new SendResult.Transient(Reason(e, token)),
        ApiRequestException { ErrorCode: >= 500 } e => new SendResult.Transient(Reason(e, token)),
        ApiRequestException { ErrorCode: >= 400 and < 500 } e => new SendResult.Permanent(Reason(e, token)),
        ApiRequestException e => new SendResult.Transient(Reason(e, token)),
        RequestException e => new SendResult.Transient(Redact($"request failed: {Describe(e)}", token)),
        OperationCanceledException => new SendResult.Transient("timed out waiting for the Bot API"),
        HttpRequestException e => new SendResult.Transient(Redact($"connection failed: {e.Message}", token)),
        _ => new SendResult.Transient(Redact($"{exception.GetType().Name}: {exception.Message}", token)),
    };

    /// <summary>
    /// An edit that would change nothing ("Bad Request: message is not modified"): the message already shows it, which is
    /// what the edit wanted.
    /// </summary>
    public static bool IsNotModified(Exception exception) =>
        exception is ApiRequestException { ErrorCode: 400 } e && e.Message.Contains("message is not modified", StringComparison.OrdinalIgnoreCase);

    public static bool IsChatGone(string description) =>
        description.Contains("chat not found", StringComparison.OrdinalIgnoreCase)
        || description.Contains("user is deactivated", StringComparison.OrdinalIgnoreCase)
        || description.Contains("bot was kicked", StringComparison.OrdinalIgnoreCase)
        || description.Contains("bot was blocked", StringComparison.OrdinalIgnoreCase);

    /// <summary>Removes the token from any text that may reach a log or the outbox (URLs in inner exceptions carry it).</summary>
    public static string Redact(string text, string token) =>
        string.IsNullOrEmpty(token) ? text : text.Replace(token, "***", StringComparison.Ordinal);

    private static string Reason(ApiRequestException e, string token) => Redact($"{e.ErrorCode}: {e.Message}", token);

    private static string Describe(Exception e)
    {
        var text = e.Message;
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            text += $" ({inner.GetType().Name}: {inner.Message})";
        }

        return text;
    }
}
