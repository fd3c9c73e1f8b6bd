using Alerts.Core.Delivery;
using Alerts.Core.Tickers;
using Alerts.Discord.Commands;
using Alerts.Discord.Interactions;
using Alerts.Discord.Rest;
using Alerts.Discord.Sending;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Alerts.Discord;

public static class DiscordExtensions
{
    /// <summary>
    /// Registers the Discord adapter: options (validated at start-up when on), the REST client, the alert channel, the
    /// command handler and the start-up command registration. The adapter is on when <c>Alerts:Discord:BotToken</c> is
    /// set; that is decided from the final configuration when the services run, not here, because configuration added
    /// after this call (command line, test hosts) must count too. When off, the channel claims no platform, no command
    /// is registered and the endpoint is not mapped.
    /// Needs <see cref="Core.Subscriptions.ISubscriptionCommands"/>, <see cref="Core.Subscriptions.ISubscriptionStore"/> and
    /// <see cref="Core.Subscriptions.IKeyValueStore"/> from the rest of the host.
    /// </summary>
    public static IHostApplicationBuilder AddDiscord(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<DiscordOptions>().BindConfiguration(DiscordOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DiscordOptions>, DiscordOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        // The host's one bound and validated source list; a bare adapter (its own tests) reads the section itself.
        services.AddSingleton(sp => new DiscordSourceList(
            sp.GetService<IReadOnlyList<SourceDefinition>>() ?? sp.GetRequiredService<IConfiguration>().GetSection("Alerts:Sources").Get<List<SourceDefinition>>() ?? []));

        services.AddSingleton<DiscordRateLimiter>();
#pragma warning disable EXTEXP0001 // Experimental, but the only way to opt out of handlers added by ConfigureHttpClientDefaults.
        services.AddHttpClient<DiscordRestClient>(DiscordRestClient.HttpClientName)
            // Rate limits, 429s and retries are this adapter's own business (SPEC §6): a generic retry handler
            // added to every client by the host would resend 429s and count invalid requests twice.
            .RemoveAllResilienceHandlers()
#pragma warning restore EXTEXP0001
            // The default request logging would print interaction tokens, which are part of webhook paths.
            .RemoveAllLoggers()
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);

        services.AddSingleton<InteractionSignatureVerifier>();
        services.AddScoped<DiscordCommandHandler>();
        services.AddSingleton<DiscordDmChannels>();
        services.AddSingleton<DiscordAlertChannel>();
        services.AddSingleton<IAlertChannel>(sp => sp.GetRequiredService<DiscordAlertChannel>());
        services.AddSingleton<DiscordCommandRegistrar>();
        services.AddHostedService(sp => sp.GetRequiredService<DiscordCommandRegistrar>());
        return builder;
    }

    /// <summary><c>POST /discord/interactions</c> (SPEC §10); mapped only when the adapter is on.</summary>
    public static IEndpointRouteBuilder MapDiscordInteractions(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.ServiceProvider.GetService<IOptions<DiscordOptions>>()?.Value.IsEnabled != true)
        {
            return endpoints;
        }

        endpoints.MapPost("/discord/interactions", DiscordInteractionsApi.HandleAsync)
            .WithName("DiscordInteractions")
            .DisableAntiforgery();
        return endpoints;
    }
}
