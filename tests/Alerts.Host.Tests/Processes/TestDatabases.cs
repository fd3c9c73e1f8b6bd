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
