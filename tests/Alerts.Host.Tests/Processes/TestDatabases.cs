using Alerts.Storage;
using Alerts.Storage.Migrations;
using Npgsql;

namespace Alerts.Host.Tests.Processes;

/// <summary>Fresh databases for the process tests: a temporary SQLite file, or a new PostgreSQL database per test.</summary>
internal static class TestDatabases
{
    public static StorageOptions Create(string provider, string directory)
    {
        if (provider == StorageOptions.Sqlite)
        {
            Directory.CreateDirectory(directory);
            return new StorageOptions { Provider = StorageOptions.Sqlite, ConnectionString = $"Data Source={Path.Combine(directory, "alerts.db")}" };
        }

        var admin = Environment.GetEnvironmentVariable("ALERTS_TEST_POSTGRES");
        if (string.IsNullOrEmpty(admin))
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail("ALERTS_TEST_POSTGRES is not set (CI=true: the PostgreSQL process tests must run)");
            }

            Skip.If(true, "ALERTS_TEST_POSTGRES is not set");
        }

        var name = "alerts_host_" + Guid.NewGuid().ToString("N")[..12];
        using (var connection = new NpgsqlConnection(admin))
        {
            connection.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            create.ExecuteNonQuery();
        }

        var builder = new NpgsqlConnectionStringBuilder(admin) { Database = name };
        return new StorageOptions { Provider = StorageOptions.Postgres, ConnectionString = builder.ConnectionString };
    }

    /// <summary>Runs a process test in a database of its own (and a working folder named by the prefix), then removes both.</summary>
    public static async Task RunInFreshDatabaseAsync(string provider, string prefix, Func<StorageOptions, string, Task> test)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"alerts-{prefix}-" + Guid.NewGuid().ToString("N")[..8]);
        var storage = Create(provider, directory);
        try
        {
            await test(storage, directory);
        }
        finally
        {
            await DropAsync(storage, directory);
        }
    }

    /// <summary>
    /// The settings of a host process on that database whose alerts go to a webhook receiver at the given pace
    /// (Telegram's 30/s overall and 1/s per chat unless said otherwise).
    /// </summary>
    public static Dictionary<string, string> WebhookHostSettings(StorageOptions storage, string webhookUrl, int globalPerSecond = 30) => new()
    {
        ["Alerts:Storage:Provider"] = storage.Provider,
        ["Alerts:Storage:ConnectionString"] = storage.ConnectionString,
        ["Alerts:Webhook:Url"] = webhookUrl,
        ["Alerts:Webhook:GlobalPerSecond"] = globalPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Alerts:Webhook:PerSubscriberPerSecond"] = "1",
    };

    /// <summary>Removes what <see cref="Create"/> made (the processes using it must have ended).</summary>
    public static async Task DropAsync(StorageOptions options, string directory)
    {
        if (options.Provider == StorageOptions.Postgres)
        {
            var name = new NpgsqlConnectionStringBuilder(options.ConnectionString).Database;
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(Environment.GetEnvironmentVariable("ALERTS_TEST_POSTGRES"));
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A log or database file still open by a dying process: the temp folder is cleaned by the OS.
        }
    }

    /// <summary>The stores over that database, migrated, as a host process would have them.</summary>
    public static async Task<ServiceProvider> OpenAsync(StorageOptions options)
    {
        var services = new ServiceCollection();
        services.AddAlertsStorage(options);
        var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<IStorageMigrator>().MigrateAsync();
        return provider;
    }
}
