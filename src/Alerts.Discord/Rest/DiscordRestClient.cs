using System.Globalization;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Discord.Rest;

/// <summary>
/// A small typed client for the parts of Discord's HTTP API v10 the bot uses. Every message body is a
/// <see cref="DiscordMessage"/> (which always carries <c>allowed_mentions: {"parse": []}</c>); rate limits are checked
/// before and learned after every request (<see cref="DiscordRateLimiter"/>). Never throws for HTTP or network
/// failures; only the caller's own cancellation ends a call with <see cref="OperationCanceledException"/>.
/// </summary>
public sealed partial class DiscordRestClient
{
    public const string HttpClientName = "discord";

    private static readonly string UserAgent =
        $"DiscordBot (https://github.com/alerts/alerts, {typeof(DiscordRestClient).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "1.0"})";

    private readonly HttpClient http;
    private readonly DiscordRateLimiter limiter;
    private readonly DiscordOptions options;
    private readonly ILogger<DiscordRestClient> logger;

    public DiscordRestClient(HttpClient http, DiscordRateLimiter limiter, IOptions<DiscordOptions> options, ILogger<DiscordRestClient> logger)
    {
        this.http = http;
        this.limiter = limiter;
        this.options = options.Value;
        this.logger = logger;
        this.http.BaseAddress = this.options.ApiBaseUri;
        // Our own per-request timeout below tells a timeout from the caller's cancellation.
        this.http.Timeout = Timeout.InfiniteTimeSpan;
    }

    /// <summary><c>PUT /applications/{app}/commands</c>, or the guild form when <paramref name="guildId"/> is set.</summary>
    public Task<DiscordApiResult> BulkOverwriteCommandsAsync(IReadOnlyList<ApplicationCommand> commands, string? guildId, CancellationToken cancellationToken)
    {
        var app = Escape(options.ApplicationId);
        return string.IsNullOrWhiteSpace(guildId)
            ? SendAsync(HttpMethod.Put, $"applications/{app}/commands", "PUT /applications/{id}/commands", app, commands, DiscordJsonContext.Default.IReadOnlyListApplicationCommand, bot: true, cancellationToken)
            : SendAsync(HttpMethod.Put, $"applications/{app}/guilds/{Escape(guildId)}/commands", "PUT /applications/{id}/guilds/{guild}/commands", Escape(guildId), commands, DiscordJsonContext.Default.IReadOnlyListApplicationCommand, bot: true, cancellationToken);
    }

    /// <summary><c>POST /users/@me/channels</c>: opens (or returns) the DM channel with a user; the result's id is the channel id.</summary>
    public Task<DiscordApiResult> CreateDmChannelAsync(string userId, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "users/@me/channels", "POST /users/@me/channels", "", new CreateDmRequest(userId), DiscordJsonContext.Default.CreateDmRequest, bot: true, cancellationToken);

    /// <summary><c>POST /channels/{channel}/messages</c>; the result's id is the message id.</summary>
    public Task<DiscordApiResult> CreateMessageAsync(string channelId, DiscordMessage message, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"channels/{Escape(channelId)}/messages", "POST /channels/{id}/messages", channelId, message, DiscordJsonContext.Default.DiscordMessage, bot: true, cancellationToken);

    /// <summary>
    /// <c>PATCH /channels/{channel}/messages/{message}</c>: replaces the embeds and components of a message the bot sent
    /// (an alert whose entry was updated). Same per-channel bucket key as creating messages, so both count together.
    /// </summary>
    public Task<DiscordApiResult> EditMessageAsync(string channelId, string messageId, DiscordMessage message, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Patch, $"channels/{Escape(channelId)}/messages/{Escape(messageId)}", "PATCH /channels/{id}/messages/{id}", channelId, message, DiscordJsonContext.Default.DiscordMessage, bot: true, cancellationToken);

    /// <summary><c>POST /interactions/{id}/{token}/callback</c> (the endpoint usually answers in its HTTP response instead).</summary>
    public Task<DiscordApiResult> CreateInteractionResponseAsync(string interactionId, string interactionToken, InteractionResponse response, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"interactions/{Escape(interactionId)}/{Escape(interactionToken)}/callback", "POST /interactions/{id}/{token}/callback", interactionId, response, DiscordJsonContext.Default.InteractionResponse, bot: false, cancellationToken);

    /// <summary><c>POST /webhooks/{app}/{token}</c>: a follow-up message to an interaction.</summary>
    public Task<DiscordApiResult> CreateFollowupMessageAsync(string interactionToken, DiscordMessage message, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"webhooks/{Escape(options.ApplicationId)}/{Escape(interactionToken)}", "POST /webhooks/{app}/{token}", interactionToken, message, DiscordJsonContext.Default.DiscordMessage, bot: false, cancellationToken);

    /// <summary><c>PATCH /webhooks/{app}/{token}/messages/@original</c>: completes a deferred reply.</summary>
    public Task<DiscordApiResult> EditOriginalResponseAsync(string interactionToken, DiscordMessage message, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Patch, $"webhooks/{Escape(options.ApplicationId)}/{Escape(interactionToken)}/messages/@original", "PATCH /webhooks/{app}/{token}/messages/@original", interactionToken, message, DiscordJsonContext.Default.DiscordMessage, bot: false, cancellationToken);

    private async Task<DiscordApiResult> SendAsync<TBody>(HttpMethod method, string path, string route, string majorParameter, TBody body, JsonTypeInfo<TBody> typeInfo, bool bot, CancellationToken cancellationToken)
    {
        // Interaction webhooks are authenticated by their token and exempt from the global limit.
        if (limiter.TryAcquire(route, majorParameter, countsTowardsGlobal: bot) is { } block)
        {
            LogBlocked(route, block.Reason, block.RetryAfter);
            return DiscordApiResult.Fail(new DiscordFailure(DiscordFailureKind.RateLimited, null, null, block.Reason, block.RetryAfter, block.Global));
        }

        using var request = new HttpRequestMessage(method, path)
        {
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, typeInfo)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        if (bot)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bot", options.BotToken);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.RequestTimeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            return Interpret(route, majorParameter, response, text);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogFailed(route, "timeout");
            return DiscordApiResult.Fail(new DiscordFailure(DiscordFailureKind.Transient, null, null, $"no answer within {options.RequestTimeout.TotalSeconds:0.#} s"));
        }
        catch (HttpRequestException ex)
        {
            var reason = Redact(ex.Message);
            LogFailed(route, reason);
            return DiscordApiResult.Fail(new DiscordFailure(DiscordFailureKind.Transient, null, null, reason));
        }
    }

    private DiscordApiResult Interpret(string route, string majorParameter, HttpResponseMessage response, string text)
    {
        var status = (int)response.StatusCode;
        var headers = ReadRateLimitHeaders(response);
        var error = status >= 400 ? TryRead(text, DiscordJsonContext.Default.DiscordErrorResponse) : null;
        TimeSpan? retryAfter = error?.RetryAfter is { } seconds ? TimeSpan.FromSeconds(seconds)
            : response.Headers.RetryAfter?.Delta;
        var global = error?.Global == true || headers.Global;
        limiter.OnResponse(route, majorParameter, status, headers, retryAfter, global);

        if (response.IsSuccessStatusCode)
        {
            return DiscordApiResult.Ok(status == 204 ? null : TryRead(text, DiscordJsonContext.Default.IdResponse)?.Id);
        }

        // A proxy or a misbehaving gateway may echo the request, Authorization header included: the body goes into the
        // log and the outbox's last_error, so the token is taken out first, as Telegram's adapter does.
        var message = Redact(error?.Message ?? (string.IsNullOrWhiteSpace(text) ? response.ReasonPhrase ?? "" : Truncate(text)));
        LogRejected(route, status, error?.Code, message);
        if (status == 429)
        {
            return DiscordApiResult.Fail(new DiscordFailure(DiscordFailureKind.RateLimited, status, error?.Code, global ? "429 global rate limit" : $"429 rate limit on {headers.Bucket ?? route}", retryAfter ?? TimeSpan.FromSeconds(1), global));
        }

        var kind = status >= 500 ? DiscordFailureKind.Transient : DiscordFailureKind.Rejected;
        return DiscordApiResult.Fail(new DiscordFailure(kind, status, error?.Code, message));
    }

    /// <summary>The bot token never leaves this class in text (interaction tokens are single-use and expire in 15 minutes).</summary>
    private string Redact(string text) =>
        string.IsNullOrEmpty(options.BotToken) ? text : text.Replace(options.BotToken, "***", StringComparison.Ordinal);

    private static RateLimitHeaders ReadRateLimitHeaders(HttpResponseMessage response)
    {
        string? Header(string name) => response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
        int? remaining = int.TryParse(Header("X-RateLimit-Remaining"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var r) ? r : null;
        TimeSpan? resetAfter = double.TryParse(Header("X-RateLimit-Reset-After"), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s >= 0 ? TimeSpan.FromSeconds(s) : null;
        return new RateLimitHeaders(Header("X-RateLimit-Bucket"), remaining, resetAfter, Header("X-RateLimit-Scope"), string.Equals(Header("X-RateLimit-Global"), "true", StringComparison.OrdinalIgnoreCase));
    }

    private static T? TryRead<T>(string text, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(text, typeInfo);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Escape(string segment) => Uri.EscapeDataString(segment);

    private static string Truncate(string text)
    {
        var sb = new StringBuilder(text.Length > 200 ? text[..200] + "…" : text);
        return sb.Replace('\n', ' ').ToString();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Discord {Route}: not sent, {Reason}; retry in {RetryAfter}")]
    private partial void LogBlocked(string route, string reason, TimeSpan retryAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord {Route} failed: {Reason}")]
    private partial void LogFailed(string route, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord {Route} answered {Status} (code {Code}): {Message}")]
    private partial void LogRejected(string route, int status, int? code, string message);
}
