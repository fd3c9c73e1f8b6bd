using Alerts.Core.Delivery;
using Alerts.Core.Diffing;
using Alerts.Core.Subscriptions;
using Alerts.Storage.Migrations;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Alerts.Storage.Tests.Infrastructure;

/// <summary>
/// One database server for a test class. The store test classes are written once against this and run twice:
/// on a temporary SQLite file and on PostgreSQL (<c>ALERTS_TEST_POSTGRES</c>), each class in databases of its own.
/// </summary>
public abstract class TestDatabase : IAsyncLifetime
{
    private StorageOptions? shared;

    /// <summary>The class's own migrated database.</summary>
    public StorageOptions Options => shared ?? throw new InvalidOperationException("The test database is not initialized.");

    public abstract string Provider { get; }

    /// <summary>Why the database cannot be used here, or null when it can.</summary>
    public virtual string? Unavailable => null;

    /// <summary>A database no other test uses; empty unless <paramref name="migrate"/>.</summary>
    public abstract Task<StorageOptions> CreateDatabaseAsync(bool migrate = true);

    public async Task InitializeAsync()
    {
        if (Unavailable is null)
        {
            shared = await CreateDatabaseAsync();
        }
    }

    public abstract Task DisposeAsync();

    /// <summary>Skips the test when the database is not configured, except on CI, where that is an error.</summary>
    public void SkipIfUnavailable()
    {
        if (Unavailable is null)
        {
            return;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail($"{Unavailable} (CI=true: the PostgreSQL store tests must run)");
        }

        Skip.If(true, Unavailable);
    }

    protected static async Task MigrateAsync(StorageOptions options)
    {
        await using var stores = Stores.Open(options);
        await stores.Migrator.MigrateAsync();
    }
}

/// <summary>A fresh set of store instances over one database, as one host process would have them.</summary>
public sealed class Stores : IAsyncDisposable
{
    private readonly ServiceProvider provider;

    private Stores(ServiceProvider provider) => this.provider = provider;

    public IStorageMigrator Migrator => provider.GetRequiredService<IStorageMigrator>();

    public ITickerStateStore Tickers => provider.GetRequiredService<ITickerStateStore>();

    public IOutboxStore Outbox => provider.GetRequiredService<IOutboxStore>();

    public IOutboxRetention OutboxRetention => provider.GetRequiredService<IOutboxRetention>();

    public ILeaseStore Leases => provider.GetRequiredService<ILeaseStore>();

    public ISubscriptionStore Subscriptions => provider.GetRequiredService<ISubscriptionStore>();

    public IKeyValueStore KeyValues => provider.GetRequiredService<IKeyValueStore>();

    public static Stores Open(StorageOptions options, TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddAlertsStorage(options);
        return new Stores(services.BuildServiceProvider());
    }

    public ValueTask DisposeAsync() => provider.DisposeAsync();
}

public sealed class SqliteTestDatabase : TestDatabase
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "alerts-storage-tests", Guid.NewGuid().ToString("N"));

    public override string Provider => StorageOptions.Sqlite;

    public override async Task<StorageOptions> CreateDatabaseAsync(bool migrate = true)
    {
        var options = new StorageOptions
        {
            Provider = StorageOptions.Sqlite,
            ConnectionString = $"Data Source={Path.Combine(directory, Guid.NewGuid().ToString("N") + ".db")}",
        };
        if (migrate)
        {
            await MigrateAsync(options);
        }

        return options;
    }

    public override Task DisposeAsync()
    {
        // Pooled connections keep the files open; release them before deleting.
        SqliteConnection.ClearAllPools();
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // Another class's pool may still hold a handle on this machine; the temp folder is cleaned by the OS.
        }

        return Task.CompletedTask;
    }
}

public sealed class PostgresTestDatabase : TestDatabase
{
    private static readonly string? AdminConnectionString = Environment.GetEnvironmentVariable("ALERTS_TEST_POSTGRES");

    private readonly List<string> created = [];

    public override string Provider => StorageOptions.Postgres;

    public override string? Unavailable =>
        string.IsNullOrWhiteSpace(AdminConnectionString) ? "ALERTS_TEST_POSTGRES is not set (source .ci/postgres.sh && start_postgres)" : null;

    public override async Task<StorageOptions> CreateDatabaseAsync(bool migrate = true)
    {
        var name = "alerts_test_" + Guid.NewGuid().ToString("N");
        await using (var admin = new NpgsqlConnection(AdminConnectionString))
        {
            await admin.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await command.ExecuteNonQueryAsync();
        }

        lock (created)
        {
            created.Add(name);
        }

        var options = new StorageOptions
        {
            Provider = StorageOptions.Postgres,
            ConnectionString = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString,
        };
        if (migrate)
        {
            await MigrateAsync(options);
        }

        return options;
    }

    public override async Task DisposeAsync()
    {
        if (Unavailable is not null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(AdminConnectionString);
        await admin.OpenAsync();
        foreach (var name in created)
        {
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin);
            await command.ExecuteNonQueryAsync();
        }
    }
}
