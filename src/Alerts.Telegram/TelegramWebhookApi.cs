using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Telegram.Bot;
using Telegram.Bot.Types;

namespace Alerts.Telegram;

/// <summary><c>POST /telegram/webhook</c>: Telegram delivers updates here in webhook mode.</summary>
internal static class TelegramWebhookApi
{
    public const string Path = "/telegram/webhook";

    public const string SecretHeader = "X-Telegram-Bot-Api-Secret-Token";

    public static IEndpointRouteBuilder Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Path, HandleAsync).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<IResult> HandleAsync(
        HttpContext http,
        IOptions<TelegramOptions> options,
        TelegramUpdateProcessor processor,
        IHostApplicationLifetime lifetime)
    {
        // The secret first: nothing from an unauthenticated request is read, parsed or handled.
        if (!SecretMatches(http.Request.Headers[SecretHeader], options.Value.WebhookSecret))
        {
            return Results.StatusCode(StatusCodes.Status403Forbidden);
        }

        Update? update;
        try
        {
            update = await JsonSerializer.DeserializeAsync<Update>(http.Request.Body, JsonBotAPI.Options, http.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return Results.BadRequest();
        }

        if (update is null)
        {
            return Results.BadRequest();
        }

        // Not the request's token: once accepted, an update is handled to the end even if Telegram hangs up.
        await processor.ProcessAsync(update, lifetime.ApplicationStopping).ConfigureAwait(false);
        return Results.Ok();
    }

    /// <summary>Constant-time: both sides are hashed first, so neither content nor length leaks through timing.</summary>
    internal static bool SecretMatches(string? presented, string expected)
    {
        if (string.IsNullOrEmpty(presented) || string.IsNullOrEmpty(expected))
        {
            return false;
        }

        var a = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        var b = SHA256.HashData(Encoding.UTF8.GetBytes(expected));
        return CryptographicOperations.FixedTimeEquals(a, b);
    }
}
