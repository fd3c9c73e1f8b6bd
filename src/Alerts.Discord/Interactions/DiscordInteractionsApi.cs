using Alerts.Core.Subscriptions;
using Alerts.Discord.Rendering;
using Alerts.Discord.Rest;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using System.Text.Json;

namespace Alerts.Discord.Interactions;

/// <summary>
/// <c>POST /discord/interactions</c>: checks the signature before anything else (401 on any failure), answers PING with
/// PONG, and answers commands within Discord's 3 seconds: directly when the command finishes within
/// <see cref="DiscordOptions.DeferAfter"/>, otherwise with a deferred ephemeral reply (type 5) that is completed by
/// editing the original response once the command is done. Every command reply is ephemeral.
/// </summary>
internal static partial class DiscordInteractionsApi
{
    /// <summary>Interactions are a few KB; anything much larger is not from Discord.</summary>
    private const int MaxBodyBytes = 256 * 1024;

    public static async Task<IResult> HandleAsync(
        HttpContext http,
        InteractionSignatureVerifier verifier,
        IServiceScopeFactory scopes,
        IOptions<DiscordOptions> options,
        TimeProvider time,
        IHostApplicationLifetime lifetime,
        ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("Alerts.Discord.Interactions");
        var body = await ReadBodyAsync(http.Request, http.RequestAborted).ConfigureAwait(false);
        if (body is null
            || !verifier.IsValid(http.Request.Headers["X-Signature-Ed25519"].ToString(), http.Request.Headers["X-Signature-Timestamp"].ToString(), body))
        {
            LogRejected(logger);
            return TypedResults.Text("invalid request signature", statusCode: StatusCodes.Status401Unauthorized);
        }

        Interaction? interaction;
        try
        {
            interaction = JsonSerializer.Deserialize(body, DiscordJsonContext.Default.Interaction);
        }
        catch (JsonException)
        {
            interaction = null;
        }

        switch (interaction)
        {
            case null:
                return TypedResults.BadRequest();
            case { Type: 1 }:
                return Reply(InteractionResponse.Pong());
            case { Type: 2, Data: not null }:
                break;
            case { Type: 3, Data.CustomId: not null }:
                return await PressAsync(http, scopes, interaction, logger, lifetime.ApplicationStopping).ConfigureAwait(false);
            case { Type: 4, Data: not null }:
                await using (var autocompleteScope = scopes.CreateAsyncScope())
                {
                    var choices = await autocompleteScope.ServiceProvider.GetRequiredService<DiscordCommandHandler>().AutocompleteAsync(interaction, http.RequestAborted).ConfigureAwait(false);
                    return TypedResults.Json(new AutocompleteResponse(choices), DiscordJsonContext.Default.AutocompleteResponse);
                }

            default:
                // Modals are not used by this bot.
                return TypedResults.BadRequest();
        }

        // The command runs in its own scope: when it is deferred, it outlives this request.
        var scope = scopes.CreateAsyncScope();
        var work = RunAsync(scope, interaction, lifetime.ApplicationStopping);
        try
        {
            var reply = await work.WaitAsync(options.Value.DeferAfter, time, http.RequestAborted).ConfigureAwait(false);
            var messages = DiscordReplyRenderer.Render(reply);
            if (messages.Count > 1)
            {
                // The rest goes out as follow-ups, which Discord accepts only after it has the first answer.
                http.Response.OnCompleted(() => StartFollowUps(scopes, interaction.Token, messages.Skip(1).ToList(), logger, lifetime.ApplicationStopping));
            }

            return Reply(InteractionResponse.Message(WithButtons(messages[0], messages.Count == 1 ? reply.Buttons : null)));
        }
        catch (TimeoutException)
        {
            LogDeferred(logger, interaction.Data.Name);
            http.Response.OnCompleted(() =>
            {
                _ = CompleteDeferredAsync(scopes, interaction.Token, work, logger, lifetime.ApplicationStopping);
                return Task.CompletedTask;
            });
            return Reply(InteractionResponse.DeferredEphemeral());
        }
    }

    /// <summary>
    /// A button press: the message it was pressed on is updated in place (type 7) with the pressed row replaced, and
    /// what happened (the toast on Telegram) follows as an ephemeral message; a press that only answers (help, the
    /// result of a one-tap subscribe) is answered with an ephemeral message.
    /// </summary>
    private static async Task<IResult> PressAsync(HttpContext http, IServiceScopeFactory scopes, Interaction interaction, ILogger logger, CancellationToken stopping)
    {
        ButtonOutcome outcome;
        await using (var scope = scopes.CreateAsyncScope())
        {
            outcome = await scope.ServiceProvider.GetRequiredService<DiscordCommandHandler>().PressAsync(interaction, http.RequestAborted).ConfigureAwait(false);
        }

        IReadOnlyList<string> follow = outcome.Reply is { } reply ? DiscordReplyRenderer.Render(reply) : outcome.Toast.Length > 0 ? [outcome.Toast] : [];
        if (outcome.Row is null)
        {
            return Reply(InteractionResponse.Message(WithButtons(follow.Count > 0 ? follow[0] : "\u200b", outcome.Reply?.Buttons)));
        }

        if (follow.Count > 0)
        {
            http.Response.OnCompleted(() => StartFollowUps(scopes, interaction.Token, follow, logger, stopping));
        }

        var components = DiscordReplyRenderer.ReplaceRow(interaction.Message?.Components, interaction.Data!.CustomId!, outcome.Row);
        return Reply(InteractionResponse.Update(new DiscordMessage(components: components)));
    }

    private static DiscordMessage WithButtons(string content, IReadOnlyList<IReadOnlyList<ChatButton>>? buttons) =>
        new(content, flags: MessageFlags.Ephemeral, components: DiscordReplyRenderer.Components(buttons));

    private static async Task<CommandReply> RunAsync(AsyncServiceScope scope, Interaction interaction, CancellationToken stopping)
    {
        await using (scope.ConfigureAwait(false))
        {
            // Yield first, so a slow command cannot hold up the deadline check in HandleAsync.
            await Task.Yield();
            return await scope.ServiceProvider.GetRequiredService<DiscordCommandHandler>().HandleAsync(interaction, stopping).ConfigureAwait(false);
        }
    }

    private static async Task CompleteDeferredAsync(IServiceScopeFactory scopes, string token, Task<CommandReply> work, ILogger logger, CancellationToken stopping)
    {
        try
        {
            var messages = DiscordReplyRenderer.Render(await work.ConfigureAwait(false));
            await using var scope = scopes.CreateAsyncScope();
            var client = scope.ServiceProvider.GetRequiredService<DiscordRestClient>();
            var edited = await client.EditOriginalResponseAsync(token, DiscordMessage.Ephemeral(messages[0]), stopping).ConfigureAwait(false);
            if (!edited.IsSuccess)
            {
                LogFollowUpFailed(logger, edited.Failure!.ToString());
                return;
            }

            await SendFollowUpsAsync(client, token, messages.Skip(1), logger, stopping).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stopping.IsCancellationRequested)
        {
            LogFollowUpError(logger, ex);
        }
        catch (OperationCanceledException)
        {
            // Shutting down; the user sees Discord's "interaction failed".
        }
    }

    private static Task StartFollowUps(IServiceScopeFactory scopes, string token, IReadOnlyList<string> messages, ILogger logger, CancellationToken stopping)
    {
        _ = Task.Run(async () =>
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await SendFollowUpsAsync(scope.ServiceProvider.GetRequiredService<DiscordRestClient>(), token, messages, logger, stopping).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFollowUpError(logger, ex);
            }
            catch (OperationCanceledException)
            {
                // Shutting down.
            }
        }, CancellationToken.None);
        return Task.CompletedTask;
    }

    private static async Task SendFollowUpsAsync(DiscordRestClient client, string token, IEnumerable<string> messages, ILogger logger, CancellationToken stopping)
    {
        foreach (var text in messages)
        {
            var sent = await client.CreateFollowupMessageAsync(token, DiscordMessage.Ephemeral(text), stopping).ConfigureAwait(false);
            if (!sent.IsSuccess)
            {
                LogFollowUpFailed(logger, sent.Failure!.ToString());
                return;
            }
        }
    }

    private static JsonHttpResult<InteractionResponse> Reply(InteractionResponse response) =>
        TypedResults.Json(response, DiscordJsonContext.Default.InteractionResponse);

    /// <summary>The raw bytes exactly as signed, or null when the body is too large to be an interaction.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord interaction rejected: missing, malformed, stale or wrong signature")]
    private static partial void LogRejected(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Discord /{Command} is taking longer; answered with a deferred reply")]
    private static partial void LogDeferred(ILogger logger, string command);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord: completing a command reply failed: {Reason}")]
    private static partial void LogFollowUpFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Discord: completing a command reply failed")]
    private static partial void LogFollowUpError(ILogger logger, Exception ex);
}
