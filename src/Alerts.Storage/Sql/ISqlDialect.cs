using System.Data.Common;

namespace Alerts.Storage.Sql;

/// <summary>
/// Everything in which SQLite and PostgreSQL differ for this project. The stores write their SQL once, in the
/// dialect both databases share (<c>ON CONFLICT</c>, <c>RETURNING</c>, <c>LIMIT</c>, <c>@name</c> parameters);
/// the differences are the column types of the migrations, how time is stored, row locking and locking during migration.
/// </summary>
internal interface ISqlDialect
{
    /// <summary><see cref="StorageOptions.Sqlite"/> or <see cref="StorageOptions.Postgres"/>.</summary>
    string Provider { get; }

    /// <summary>Folder under <c>Migrations/</c> holding this provider's numbered scripts.</summary>
    string MigrationsFolder { get; }

    /// <summary>
    /// Appended to the sub-select that picks due outbox rows: PostgreSQL locks the picked rows and skips rows
    /// another claimer holds; SQLite needs nothing, as its write transaction already excludes every other writer.
    /// </summary>
    string SkipLockedClause { get; }

    /// <summary>
    /// How many parameters one multi-row insert may carry. PostgreSQL gains from few round trips; SQLite has none
    /// to save and looks up each named parameter by a linear scan, so long statements cost it quadratic time.
    /// </summary>
    int MaxParametersPerStatement { get; }

    /// <summary>DDL of the <c>schema_version</c> table, run before any migration.</summary>
    string SchemaVersionTableDdl { get; }

    /// <summary>A query returning 1 when <c>schema_version</c> exists, 0 otherwise.</summary>
    string SchemaVersionExistsSql { get; }

    DbConnection CreateConnection(string connectionString);

    /// <summary>Per-connection settings, run on every open.</summary>
    Task InitializeConnectionAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>
    /// A transaction that may write. On SQLite it takes the write lock up front (<c>BEGIN IMMEDIATE</c>), so
    /// two writers queue on the busy timeout instead of deadlocking when both try to upgrade a read lock.
    /// </summary>
    Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>
    /// Makes concurrent migrators (several instances starting at once) take turns; disposing releases.
    /// Runs before <see cref="SchemaVersionTableDdl"/>, outside any transaction.
    /// </summary>
    Task<IAsyncDisposable> LockForMigrationAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>The parameter value for a point in time: stored in UTC.</summary>
    object Time(DateTimeOffset value);

    DateTimeOffset ReadTime(DbDataReader reader, int ordinal);
}
