using Alerts.Core.Delivery;
using Alerts.Core.Diffing;
using Alerts.Core.Subscriptions;
using Alerts.Storage.Migrations;
using Alerts.Storage.Sql;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the stores for a database given in code (tests, benchmarks). The host must call
    /// <see cref="IStorageMigrator.MigrateAsync"/> once at start-up, before the first store call.
    /// </summary>
    /// <exception cref="InvalidOperationException">An unknown <c>Alerts:Storage:Provider</c> or an empty connection string.</exception>
    public static IServiceCollection AddAlertsStorage(this IServiceCollection services, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        var problems = StorageOptionsValidator.Problems(options);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(string.Join(" ", problems));
        }

        // A closed IOptions<StorageOptions> wins over the options system's open registration, whatever the order.
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
        return services.AddStores();
    }

    /// <summary>
    /// Registers the stores for the <see cref="StorageOptions"/> the host binds from <c>Alerts:Storage</c> (SPEC §9);
    /// they are checked by <see cref="StorageOptionsValidator"/> with the host's other options at start-up.
    /// </summary>
    public static IServiceCollection AddAlertsStorage(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());
        return services.AddStores();
    }

    private static IServiceCollection AddStores(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<StorageOptions>>().Value);
        services.AddSingleton(sp => SqlDatabase.Create(sp.GetRequiredService<StorageOptions>()));
        services.AddSingleton<IStorageMigrator>(sp => new StorageMigrator(sp.GetRequiredService<SqlDatabase>(), sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<StorageMigrator>>()));
        services.AddSingleton<ITickerStateStore>(sp => new TickerStateStore(sp.GetRequiredService<SqlDatabase>(), sp.GetRequiredService<StorageOptions>()));
        services.AddSingleton(sp => new OutboxStore(sp.GetRequiredService<SqlDatabase>()));
        services.AddSingleton<IOutboxStore>(sp => sp.GetRequiredService<OutboxStore>());
        services.AddSingleton<IOutboxRetention>(sp => sp.GetRequiredService<OutboxStore>());
        services.AddSingleton<ILeaseStore>(sp => new LeaseStore(sp.GetRequiredService<SqlDatabase>()));
        services.AddSingleton<ISubscriptionStore>(sp => new SubscriptionStore(sp.GetRequiredService<SqlDatabase>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IKeyValueStore>(sp => new KeyValueStore(sp.GetRequiredService<SqlDatabase>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
