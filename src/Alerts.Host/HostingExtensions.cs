using Alerts.Core.Delivery;
using Alerts.Core.Diffing;
using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tickers;
using Alerts.Storage;
using Alerts.Storage.Migrations;
using Alerts.Host.Delivery;
using Alerts.Host.Operations;
using Alerts.Host.Options;
using Alerts.Host.Polling;
using Hangfire;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Alerts.Host;

internal static class HostingExtensions
{
    /// <summary>Reads <c>config/*.json</c> (beside the binary or in the working directory), then environment, then command line (SPEC §11).</summary>
    public static IHostApplicationBuilder AddAlertsConfiguration(this IHostApplicationBuilder builder)
    {
        var configDir = new[] { Path.Combine(AppContext.BaseDirectory, "config"), Path.Combine(Directory.GetCurrentDirectory(), "config") }
            .FirstOrDefault(Directory.Exists);
        if (configDir is not null)
        {
            foreach (var file in Directory.EnumerateFiles(configDir, "*.json").Where(f => !f.EndsWith("aliases.json", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal))
            {
                builder.Configuration.AddJsonFile(file, optional: true, reloadOnChange: false);
            }
        }

        // Environment and command line must win over config/ files; ASPNETCORE_URLS and --urls over the default Urls (SPEC §11).
        builder.Configuration.AddEnvironmentVariables("ASPNETCORE_");
        builder.Configuration.AddEnvironmentVariables();
        if (System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name == "Alerts.Host")
        {
            builder.Configuration.AddCommandLine(Cli.CliApp.ServiceArguments(Environment.GetCommandLineArgs()[1..]));
        }

        return builder;
    }

    /// <summary>Options (validated at start-up), clock, metrics, the dispatcher and the built-in channels.</summary>
    public static IHostApplicationBuilder AddAlertsCore(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AlertsOptions>().BindConfiguration(AlertsOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AlertsOptions>, AlertsOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);

        services.AddSingleton<AlertsMetrics>();
        services.AddSingleton<IDeliveryObserver>(sp => sp.GetRequiredService<AlertsMetrics>());
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<AlertsOptions>>().Value.Dispatch);
        // One limiter per process: alerts and the adapters' command replies take their permits from it together.
        services.TryAddSingleton<DeliveryRateLimiter>();
        services.AddSingleton(sp => new AlertDispatcher(
            sp.GetRequiredService<IOutboxStore>(),
            sp.GetRequiredService<ISubscriptionStore>(),
            sp.GetServices<IAlertChannel>(),
            sp.GetRequiredService<IOptions<AlertsOptions>>().Value.Sources,
            sp.GetRequiredService<DispatchOptions>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IDeliveryObserver>(),
            sp.GetRequiredService<ILogger<AlertDispatcher>>(),
            sp.GetRequiredService<DeliveryRateLimiter>()));

        foreach (var parser in TickerParsers.All)
        {
            services.AddSingleton(parser);
        }

        // Aliases follow config/aliases.json while the service runs; a file that does not parse keeps the last good table.
        services.AddSingleton(sp => new AliasFileWatcher(
            ConfigFiles.FindAliases() ?? Path.Combine(ConfigFiles.FindDirectory() ?? Path.Combine(Directory.GetCurrentDirectory(), "config"), "aliases.json"),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<AliasFileWatcher>>()).Watch());
        services.AddSingleton(sp => sp.GetRequiredService<IConfiguration>().GetSection(SubscriptionLimits.SectionName).Get<SubscriptionLimits>() ?? new SubscriptionLimits());
        services.TryAddSingleton<ISubscriptionMatcher>(sp =>
        {
            var aliases = sp.GetRequiredService<AliasFileWatcher>();
            var index = new MatcherIndex(aliases.Current, sp.GetRequiredService<SubscriptionLimits>().ToQueryOptions(), sp.GetRequiredService<ILogger<MatcherIndex>>());
            aliases.Changed += index.ReplaceAliases;
            return index;
        });
        // The chat commands shared by the Telegram and Discord adapters (SPEC §5).
        services.TryAddSingleton<ISubscriptionCommands>(sp =>
        {
            var aliases = sp.GetRequiredService<AliasFileWatcher>();
            return new SubscriptionCommands(
                sp.GetRequiredService<ISubscriptionStore>(),
                sp.GetRequiredService<Alerts.Core.Diffing.ITickerStateStore>(),
                sp.GetRequiredService<IOptions<AlertsOptions>>().Value.Sources,
                sp.GetRequiredService<SubscriptionLimits>(),
                sp.GetRequiredService<TimeProvider>(),
                () => aliases.Current,
                sp.GetRequiredService<IKeyValueStore>());
        });

        services.AddSingleton<IAlertChannel, ConsoleAlertChannel>(_ => new ConsoleAlertChannel());
        if (!string.IsNullOrEmpty(builder.Configuration["Alerts:Webhook:Url"]))
        {
            services.AddSingleton<IAlertChannel, WebhookAlertChannel>();
            services.AddHttpClient(WebhookAlertChannel.ClientName, (sp, client) =>
                client.Timeout = sp.GetRequiredService<IOptions<AlertsOptions>>().Value.Webhook.Timeout);
        }

        return builder;
    }

    /// <summary>
    /// The SQLite or PostgreSQL stores of Alerts.Storage (<c>Alerts:Storage</c>), with the schema migrated at
    /// start-up before anything else touches the database.
    /// </summary>
    public static IHostApplicationBuilder AddAlertsStorage(this IHostApplicationBuilder builder)
    {
        var storage = builder.Configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new StorageOptions();
        try
        {
            builder.Services.AddAlertsStorage(storage);
        }
        catch (InvalidOperationException e)
        {
            throw new OptionsValidationException(StorageOptions.SectionName, typeof(StorageOptions), [e.Message]);
        }

        builder.Services.AddHostedService<StorageMigration>();
        return builder;
    }

    /// <summary>
    /// Hangfire (in-memory, or PostgreSQL with <c>Alerts:Storage:Provider=Postgres</c>), the poll scheduler and
    /// the dispatch leader, the ticker HTTP client, and the seeding of configured subscriptions.
    /// </summary>
    public static IHostApplicationBuilder AddAlertsPolling(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<InstanceIdentity>();
        services.AddSingleton<TickerFetcher>();
        services.AddSingleton<MatcherSync>();
        services.AddSingleton<IAlertAudience, SubscriberAudience>();
        services.AddSingleton(sp => new PollPipeline(
            sp.GetServices<ITickerParser>(), sp.GetRequiredService<ITickerStateStore>(), sp.GetRequiredService<IAlertAudience>()));
        services.AddSingleton<SourcePoller>();
        services.AddSingleton<PollScheduler>();
        services.AddSingleton<DispatchLeader>();
        services.AddTransient<PollJob>();
        services.AddTransient<DispatchJob>();
        services.AddTransient<OutboxRetentionJob>();

        services.AddHttpClient(TickerFetcher.ClientName, (sp, client) =>
            {
                var polling = sp.GetRequiredService<IOptions<AlertsOptions>>().Value.Polling;
                client.Timeout = Timeout.InfiniteTimeSpan; // the resilience pipeline owns the timeouts
                client.DefaultRequestHeaders.UserAgent.ParseAdd(polling.UserAgent);
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AutomaticDecompression = System.Net.DecompressionMethods.All,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),

                // TickerFetcher follows redirects itself: at most 5, http and https only (SPEC §2).
                AllowAutoRedirect = false,
            })
            .AddStandardResilienceHandler()
            .Configure((HttpStandardResilienceOptions o, IServiceProvider sp) =>
            {
                // Tuned for a poller: one quick retry for a blip; anything longer is the scheduler's per-source backoff.
                // No circuit breaker: it is shared by every source of the client, and one broken source must not stop the others.
                var timeout = sp.GetRequiredService<IOptions<AlertsOptions>>().Value.Polling.Timeout;
                o.TotalRequestTimeout.Timeout = timeout;
                o.AttemptTimeout.Timeout = timeout / 2;
                o.Retry.MaxRetryAttempts = 1;
                o.Retry.Delay = TimeSpan.FromMilliseconds(500);
                o.Retry.BackoffType = DelayBackoffType.Constant;
                o.CircuitBreaker.SamplingDuration = timeout;
                o.CircuitBreaker.ShouldHandle = static _ => PredicateResult.False();
            });

        // Registered before AddHangfire, whose own registration reads the process-wide JobStorage.Current:
        // each host gets its own storage, which keeps several hosts in one test process apart.
        services.AddSingleton<JobStorage>(sp =>
        {
            // Hangfire logs through its process-wide configuration: make it this host's before the storage logs.
            _ = sp.GetRequiredService<IGlobalConfiguration>();
            var storage = sp.GetRequiredService<IOptions<AlertsOptions>>().Value.Storage;
            if (!storage.IsPostgres)
            {
                return new InMemoryStorage(new InMemoryStorageOptions { MaxExpirationTime = TimeSpan.FromHours(1) });
            }

            var pg = new PostgreSqlStorageOptions
            {
                SchemaName = "hangfire",
                PrepareSchemaIfNecessary = true,
                QueuePollInterval = TimeSpan.FromSeconds(1),
                EnableLongPolling = true,
                UseSlidingInvisibilityTimeout = true,
            };
            return new PostgreSqlStorage(new NpgsqlConnectionFactory(storage.ConnectionString, pg), pg);
        });
        services.AddHangfire((sp, config) => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseLogProvider(new HangfireLogProvider(sp.GetRequiredService<ILoggerFactory>())));
        services.AddHangfireServer((sp, server) =>
        {
            var instance = sp.GetRequiredService<InstanceIdentity>();
            server.ServerName = instance.Id;
            server.Queues = [instance.Queue, "default"];
            server.WorkerCount = Math.Min(20, 4 + sp.GetRequiredService<IOptions<AlertsOptions>>().Value.Sources.Count);
        });

        services.AddHostedService<ConfiguredSubscriptionSeeder>();
        services.AddHostedService<RecurringJobsRegistration>();
        services.AddHostedService(sp => sp.GetRequiredService<PollScheduler>());
        services.AddHostedService(sp => sp.GetRequiredService<DispatchLeader>());
        return builder;
    }

    /// <summary>Turns a configuration error at start-up into one clear message per key on stderr (SPEC §10).</summary>
    public static int ReportInvalidConfiguration(OptionsValidationException e)
    {
        Console.Error.WriteLine("Invalid configuration:");
        foreach (var failure in e.Failures)
        {
            Console.Error.WriteLine($"  {failure}");
        }

        return 1;
    }
}

/// <summary>Brings the schema up to date before the other hosted services (seeding, polling, dispatch) start.</summary>
internal sealed class StorageMigration(IServiceProvider services, ILogger<StorageMigration> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<IStorageMigrator>() is { } migrator)
        {
            var version = await migrator.MigrateAsync(cancellationToken);
            logger.LogInformation("{Provider} schema at version {Version}", migrator.Provider, version);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
