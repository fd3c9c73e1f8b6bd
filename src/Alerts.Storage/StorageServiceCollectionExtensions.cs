using Alerts.Core.Delivery;
using Alerts.Core.Diffing;
using Alerts.Core.Subscriptions;
using Alerts.Storage.Migrations;
using Alerts.Storage.Sql;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Alerts.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the stores for the configured database (SPEC §9). The host must call
    /// <see cref="IStorageMigrator.MigrateAsync"/> once at start-up, before the first store call.
    /// </summary>
    /// <exception cref="InvalidOperationException">An unknown <c>Alerts:Storage:Provider</c> or an empty connection string.</exception>
    public static IServiceCollection AddAlertsStorage(this IServiceCollection services, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        if (options.SeenHistoryPerSource < 100)
        {
            throw new InvalidOperationException($"{StorageOptions.SectionName}:SeenHistoryPerSource is {options.SeenHistoryPerSource}; it must be at least 100, far more than a page holds.");
        }

        if (options.RecentItemsPerSource < 1)
        {
            throw new InvalidOperationException($"{StorageOptions.SectionName}:RecentItemsPerSource must be at least 1.");
        }

        // Validates the provider and connection string now, so a bad configuration stops start-up naming its key.
        var database = SqlDatabase.Create(options);

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton(database);
        services.AddSingleton<IStorageMigrator>(sp => new StorageMigrator(database, sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<StorageMigrator>>()));
        services.AddSingleton<ITickerStateStore>(_ => new TickerStateStore(database, options));
        var outbox = new OutboxStore(database);
        services.AddSingleton<IOutboxStore>(outbox);
        services.AddSingleton<IOutboxRetention>(outbox);
        services.AddSingleton<ILeaseStore>(_ => new LeaseStore(database));
        services.AddSingleton<ISubscriptionStore>(sp => new SubscriptionStore(database, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IKeyValueStore>(_ => new KeyValueStore(database));
        return services;
    }
}
