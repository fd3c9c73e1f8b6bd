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
using Alerts.Host.Startup;
using Alerts.Discord;
using Alerts.Telegram;
using Hangfire;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using DashboardOptions = Alerts.Host.Options.DashboardOptions;

namespace Alerts.Host;

internal static class HostingExtensions
{
    /// <summary>
    /// Reads <c>config/*.json</c> (from the working directory's <c>config/</c>, else the copy beside the binary), then
    /// environment, then command line (SPEC §11). A file that is not valid JSON is a configuration error naming the
    /// file, line and position.
    /// </summary>
    public static IHostApplicationBuilder AddAlertsConfiguration(this IHostApplicationBuilder builder)
    {
        var problems = new List<string>();
        if (ConfigFiles.FindDirectory() is { } configDir)
        {
            foreach (var file in Directory.EnumerateFiles(configDir, "*.json").Where(f => !ConfigFiles.IsAliasFile(f)).Order(StringComparer.Ordinal))
            {
                try
                {
                    builder.Configuration.AddJsonFile(file, optional: true, reloadOnChange: false);
                }
                catch (InvalidDataException e)
                {
                    problems.Add(ConfigFiles.DescribeJsonError(file, e));
                }
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidConfigurationException(problems);
        }

        // Environment and command line must win over config/ files; ASPNETCORE_URLS and --urls over the default Urls (SPEC §11).
        builder.Configuration.AddEnvironmentVariables("ASPNETCORE_");
        builder.Configuration.AddEnvironmentVariables();
        if (IsTheServiceProcess)
        {
            builder.Configuration.AddCommandLine(Cli.CliApp.ServiceArguments(Environment.GetCommandLineArgs()[1..]));
        }

        return builder;
    }

    /// <summary>True in the service's own process; false in a test host that runs Program inside another process.</summary>
    public static bool IsTheServiceProcess => System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name == "Alerts.Host";

    /// <summary>
    /// Binds <typeparamref name="TOptions"/> from <paramref name="section"/> once, validates it once at start-up with
    /// <typeparamref name="TValidator"/>, and lists the section for the start-up check of unconvertible values.
    /// </summary>
    public static IServiceCollection AddAlertsOptions<TOptions, TValidator>(this IServiceCollection services, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddAlertsOptions<TOptions>(section);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        return services;
    }

    /// <summary>As above, for options whose validator is registered by their own project.</summary>
    public static IServiceCollection AddAlertsOptions<TOptions>(this IServiceCollection services, string section)
        where TOptions : class
    {
        services.AddSingleton(new BoundSection(section, typeof(TOptions)));
        services.AddOptions<TOptions>().BindConfiguration(section).ValidateOnStart();
        return services;
    }

    /// <summary>Options (validated at start-up), clock, metrics, health, the dispatcher and the built-in channels.</summary>
    public static IHostApplicationBuilder AddAlertsCore(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddAlertsOptions<AlertsOptions, AlertsOptionsValidator>(AlertsOptions.Section);
        services.AddAlertsOptions<SubscriptionLimits, LimitsValidator>(SubscriptionLimits.SectionName);
        services.AddAlertsOptions<PollingOptions, PollingValidator>(PollingOptions.Section);
        services.AddAlertsOptions<DispatchOptions, DispatchValidator>("Alerts:Dispatch");
        services.AddAlertsOptions<LeaseOptions, LeaseValidator>(LeaseOptions.Section);
        services.AddAlertsOptions<WebhookOptions, WebhookValidator>(WebhookOptions.Section);
        services.AddAlertsOptions<DashboardOptions, DashboardValidator>(DashboardOptions.Section);
        services.AddAlertsOptions<HealthOptions, HealthValidator>(HealthOptions.Section);

        // The adapters bind and validate their own sections; listed here so that the start-up check covers them too.
        services.AddSingleton(new BoundSection(TelegramOptions.SectionName, typeof(TelegramOptions)));
        services.AddSingleton(new BoundSection(DiscordOptions.Section, typeof(DiscordOptions)));

        // Core classes take plain values, not IOptions.
        services.AddSingleton<IReadOnlyList<SourceDefinition>>(sp => sp.GetRequiredService<IOptions<AlertsOptions>>().Value.Sources);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<SubscriptionLimits>>().Value);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<DispatchOptions>>().Value);
        services.TryAddSingleton(TimeProvider.System);

        services.AddSingleton<AlertsMetrics>();
        services.AddSingleton<ServiceHealth>();
        services.AddSingleton<StartupReport>();
        services.AddSingleton<StorageWriteProbe>();

        // Hangfire's dashboard checks the anti-forgery token of every POST once the service is registered.
        services.AddAntiforgery();
        services.AddSingleton<IDeliveryObserver>(sp => sp.GetRequiredService<AlertsMetrics>());
        // One limiter per process: alerts and the adapters' command replies take their permits from it together.
        services.TryAddSingleton<DeliveryRateLimiter>();
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<AlertDispatcher>(sp, sp.GetRequiredService<IReadOnlyList<SourceDefinition>>()));

        foreach (var parser in TickerParsers.All)
        {
            services.AddSingleton(parser);
        }

        // Aliases follow config/aliases.json while the service runs; a file that does not parse keeps the last good table
        // (at start-up it is a configuration error instead, see StartupChecks).
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<AliasFileWatcher>(sp, ConfigFiles.AliasPath()).Watch());
        services.TryAddSingleton<ISubscriptionMatcher>(sp =>
        {
            var aliases = sp.GetRequiredService<AliasFileWatcher>();
            var index = new MatcherIndex(aliases.Current, sp.GetRequiredService<SubscriptionLimits>().ToQueryOptions(), sp.GetRequiredService<ILogger<MatcherIndex>>(), sp.GetRequiredService<TimeProvider>());
            aliases.Changed += index.ReplaceAliases;
            return index;
        });

        // The chat commands shared by the Telegram and Discord adapters (SPEC §5).
        services.TryAddSingleton<ISubscriptionCommands>(sp =>
        {
            var aliases = sp.GetRequiredService<AliasFileWatcher>();
            return ActivatorUtilities.CreateInstance<SubscriptionCommands>(sp, (Func<AliasTable>)(() => aliases.Current));
        });

        services.AddSingleton<IAlertChannel, ConsoleAlertChannel>(_ => new ConsoleAlertChannel());
        if (!string.IsNullOrEmpty(builder.Configuration["Alerts:Webhook:Url"]))
        {
            services.AddSingleton<IAlertChannel, WebhookAlertChannel>();
            services.AddHttpClient(WebhookAlertChannel.ClientName, (sp, client) =>
                client.Timeout = sp.GetRequiredService<IOptions<WebhookOptions>>().Value.Timeout);
        }

        return builder;
    }

    /// <summary>
    /// The SQLite or PostgreSQL stores of Alerts.Storage (<c>Alerts:Storage</c>), with the database opened and the
    /// schema migrated at start-up before anything else touches it (<see cref="DatabaseStartup"/>).
    /// </summary>
    public static IHostApplicationBuilder AddAlertsStorage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAlertsOptions<StorageOptions>(StorageOptions.SectionName);
        builder.Services.AddAlertsStorage();
        builder.Services.AddSingleton<DatabaseStartup>();
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
            sp.GetServices<ITickerParser>(),
            sp.GetRequiredService<ITickerStateStore>(),
            sp.GetRequiredService<IAlertAudience>(),
            sp.GetRequiredService<IOptions<SubscriptionLimits>>().Value.MaxAlertsPerSubscriberPerPoll));
        services.AddSingleton<SourcePoller>();
        services.AddSingleton<PollScheduler>();
        services.AddSingleton<DispatchLeader>();
        services.AddTransient<PollJob>();
        services.AddTransient<DispatchJob>();
        services.AddTransient<OutboxRetentionJob>();

        services.AddHttpClient(TickerFetcher.ClientName, (sp, client) =>
            {
                var polling = sp.GetRequiredService<IOptions<PollingOptions>>().Value;
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
                var timeout = sp.GetRequiredService<IOptions<PollingOptions>>().Value.Timeout;
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
            var storage = sp.GetRequiredService<StorageOptions>();
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
}

/// <summary>Opens the database and brings the schema up to date before the other hosted services (seeding, polling, dispatch) start.</summary>
internal sealed class StorageMigration(DatabaseStartup database) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => database.PrepareAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
