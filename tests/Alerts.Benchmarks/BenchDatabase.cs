using Alerts.Storage;
using Alerts.Storage.Migrations;
using Alerts.Storage.Sql;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Alerts.Benchmarks;

/// <summary>
/// A migrated throw-away database for a storage benchmark: a SQLite file in a temporary folder, or a fresh
/// PostgreSQL database on the server named by ALERTS_TEST_POSTGRES (which is where PostgreSQL cases run at all).
/// </summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    private static readonly string? PostgresAdmin = Environment.GetEnvironmentVariable("ALERTS_TEST_POSTGRES");

    private readonly string? tempDirectory;
    private readonly string? postgresDatabase;

    private BenchDatabase(StorageOptions options, SqlDatabase database, string? tempDirectory, string? postgresDatabase)
    {
        Options = options;
        Database = database;
        this.tempDirectory = tempDirectory;
        this.postgresDatabase = postgresDatabase;
    }

    public StorageOptions Options { get; }

    public SqlDatabase Database { get; }

    /// <summary>SQLite always; PostgreSQL when a server is configured.</summary>
    public static IEnumerable<string> Providers()
    {
        yield return StorageOptions.Sqlite;
        if (!string.IsNullOrWhiteSpace(PostgresAdmin))
        {
            yield return StorageOptions.Postgres;
        }
    }

    public static async Task<BenchDatabase> CreateAsync(string provider)
    {
        string? tempDirectory = null, postgresDatabase = null;
        StorageOptions options;
        if (provider == StorageOptions.Sqlite)
        {
            tempDirectory = Path.Combine(Path.GetTempPath(), "alerts-bench-" + Guid.NewGuid().ToString("N"));
            options = new StorageOptions { Provider = provider, ConnectionString = $"Data Source={Path.Combine(tempDirectory, "alerts.db")}" };
        }
        else
        {
            postgresDatabase = "alerts_bench_" + Guid.NewGuid().ToString("N");
            await using (var admin = new NpgsqlConnection(PostgresAdmin))
            {
                await admin.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE DATABASE {postgresDatabase}", admin);
                await create.ExecuteNonQueryAsync();
            }

            options = new StorageOptions { Provider = provider, ConnectionString = new NpgsqlConnectionStringBuilder(PostgresAdmin) { Database = postgresDatabase }.ConnectionString };
        }

        var database = SqlDatabase.Create(options);
        await new StorageMigrator(database, TimeProvider.System).MigrateAsync();
        return new BenchDatabase(options, database, tempDirectory, postgresDatabase);
    }

    public async ValueTask DisposeAsync()
    {
        if (tempDirectory is not null)
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(tempDirectory, recursive: true);
        }

        if (postgresDatabase is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(PostgresAdmin);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {postgresDatabase} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
