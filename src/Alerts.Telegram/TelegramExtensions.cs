using Alerts.Core.Delivery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Telegram.Bot;

namespace Alerts.Telegram;

public static class TelegramExtensions
{
    /// <summary>Registers the Telegram adapter when <c>Alerts:Telegram:BotToken</c> is set.</summary>
    public static IHostApplicationBuilder AddTelegram(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var section = builder.Configuration.GetSection(TelegramOptions.SectionName);
        if (string.IsNullOrWhiteSpace(section[nameof(TelegramOptions.BotToken)]))
        {
            return builder;
        }

        var services = builder.Services;
        services.AddOptions<TelegramOptions>().BindConfiguration(TelegramOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TelegramOptions>, TelegramOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ITelegramBotClient>(sp => CreateClient(sp.GetRequiredService<IOptions<TelegramOptions>>().Value));
        services.AddSingleton<TelegramBotIdentity>();
        services.AddSingleton<ChatAdminCache>();
        services.AddSingleton<TelegramTopics>();
        services.AddSingleton<TelegramUpdateHandler>();
        services.AddSingleton<TelegramUpdateProcessor>();
        services.AddSingleton<TelegramAlertChannel>();
        services.TryAddSingleton<DeliveryRateLimiter>();
        services.AddSingleton<TelegramOutbound>();
        services.AddSingleton<IAlertChannel>(sp => sp.GetRequiredService<TelegramAlertChannel>());
        services.AddHostedService<TelegramBotService>();
        services.AddSingleton<TelegramMarker>();
        return builder;
    }

    /// <summary><c>POST /telegram/webhook</c> (SPEC §10); mapped only when the adapter is on and in webhook mode.</summary>
    public static IEndpointRouteBuilder MapTelegramWebhook(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.ServiceProvider.GetService<TelegramMarker>() is null
            || endpoints.ServiceProvider.GetRequiredService<IOptions<TelegramOptions>>().Value.Mode != TelegramMode.Webhook)
        {
            return endpoints;
        }

        return TelegramWebhookApi.Map(endpoints);
    }

    /// <summary>
    /// The Bot API client with Telegram.Bot's own 429 handling off (RetryThreshold 0): it would sleep up to a minute
    /// inside the call, while the dispatcher's limiter must decide when this chat is tried again.
    /// </summary>
    internal static TelegramBotClient CreateClient(TelegramOptions options, HttpClient? httpClient = null)
    {
        var clientOptions = new TelegramBotClientOptions(
            options.BotToken.Trim(),
            string.IsNullOrWhiteSpace(options.ApiBaseUrl) ? null : options.ApiBaseUrl)
        {
            RetryThreshold = 0,
            RetryCount = 0,
        };

        // Long polls last PollingTimeoutSeconds; sends have their own shorter SendTimeout.
        httpClient ??= new HttpClient { Timeout = TimeSpan.FromSeconds(options.PollingTimeoutSeconds + 30) };
        return new TelegramBotClient(clientOptions, httpClient);
    }

    /// <summary>Present in the container when the adapter is on.</summary>
    private sealed class TelegramMarker;
}
