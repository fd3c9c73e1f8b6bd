using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Alerts.Storage.Sql;

/// <summary>SQLite: times as unix milliseconds (integers compare and index cheaply), WAL, a busy timeout, immediate write transactions.</summary>
internal sealed class SqliteDialect : ISqlDialect
{
    /// <summary>How long a writer waits for another process's write lock before giving up.</summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(30);

    public string Provider => StorageOptions.Sqlite;

    public string MigrationsFolder => "Sqlite";

    public string SkipLockedClause => "";

    public int MaxParametersPerStatement => 100;

    public string SchemaVersionTableDdl =>
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)";

    public string SchemaVersionExistsSql =>
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'";

    public DbConnection CreateConnection(string connectionString) => new SqliteConnection(connectionString);

    public async Task InitializeConnectionAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // journal_mode=WAL is a property of the file (set by the migrator); these are per connection.
        // synchronous=NORMAL in WAL keeps every commit atomic and durable across a process crash; only a power
        // loss can undo the last commits, and then seen-set and outbox roll back together.
        await using var command = connection.CreateCommand();
        command.CommandText =
            $"PRAGMA busy_timeout = {(int)BusyTimeout.TotalMilliseconds}; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(IsolationLevel.Serializable, deferred: false));

    public async Task<IAsyncDisposable> LockForMigrationAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // WAL cannot be switched on inside a transaction; every migration then runs in its own immediate
        // transaction, which already serializes concurrent migrators on one file.
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL;";
        await command.ExecuteNonQueryAsync(cancellationToken);
        return NoLock.Instance;
    }

    public object Time(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    public DateTimeOffset ReadTime(DbDataReader reader, int ordinal) =>
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    private sealed class NoLock : IAsyncDisposable
    {
        public static readonly NoLock Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
