using System.Data.Common;
using Npgsql;

namespace Alerts.Storage.Sql;

/// <summary>PostgreSQL: <c>timestamptz</c>, <c>FOR UPDATE SKIP LOCKED</c> for claims, a session advisory lock around migrations.</summary>
internal sealed class PostgresDialect : ISqlDialect
{
    /// <summary>Arbitrary but fixed: every instance of Alerts takes the same advisory lock to migrate.</summary>
    private const long MigrationLockKey = 0x416c657274730001; // "Alerts" + 1

    public string Provider => StorageOptions.Postgres;

    public string MigrationsFolder => "Postgres";

    public string SkipLockedClause => " FOR UPDATE SKIP LOCKED";

    public int MaxParametersPerStatement => 4000;

    public string SchemaVersionTableDdl =>
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)";

    public string SchemaVersionExistsSql =>
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_version'";

    public DbConnection CreateConnection(string connectionString) => new NpgsqlConnection(connectionString);

    public Task InitializeConnectionAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(cancellationToken);

    public async Task<IAsyncDisposable> LockForMigrationAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // A session lock (not a transaction lock) spans all migrations; if the process dies, the session ends and
        // the lock goes with it, so a crashed migrator never blocks the next start.
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT pg_advisory_lock(@key)";
            command.Parameters.Add(new NpgsqlParameter("key", MigrationLockKey));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return new AdvisoryLock(connection);
    }

    public object Time(DateTimeOffset value) => value.ToUniversalTime();

    public DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal);

    private sealed class AdvisoryLock(DbConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT pg_advisory_unlock(@key)";
            command.Parameters.Add(new NpgsqlParameter("key", MigrationLockKey));
            await command.ExecuteNonQueryAsync();
        }
    }
}
