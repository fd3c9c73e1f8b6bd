using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Alerts.Storage.Sql;

/// <summary>One configured database: opens ready-to-use connections. Stores open one per operation; the drivers pool them.</summary>
/// <remarks>
/// A SQLite file is created only by the first open (the migration at start-up). From then on connections open it with
/// <c>Mode=ReadWrite</c>, and every open first checks that the file is still there: a deleted file must stop the
/// service's writes (pooled connections would go on writing into the unlinked file, and a new one would silently
/// create an empty database that the next poll takes as a fresh baseline; issue 13). Checking costs one stat call.
/// </remarks>
internal sealed class SqlDatabase
{
    private string connectionString;
    private int directoryEnsured;
    private string? sqliteFile;

    public SqlDatabase(ISqlDialect dialect, string connectionString)
    {
        Dialect = dialect;
        this.connectionString = connectionString;
    }

    public ISqlDialect Dialect { get; }

    /// <summary>What the next connection opens with (after the first open of a SQLite file: without create).</summary>
    internal string ConnectionString => Volatile.Read(ref connectionString);

    public static SqlDatabase Create(StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new InvalidOperationException($"{StorageOptions.SectionName}:ConnectionString is empty; set it for the '{options.Provider}' provider.");
        }

        ISqlDialect dialect = options.Provider?.Trim() switch
        {
            var p when string.Equals(p, StorageOptions.Sqlite, StringComparison.OrdinalIgnoreCase) => new SqliteDialect(),
            var p when string.Equals(p, StorageOptions.Postgres, StringComparison.OrdinalIgnoreCase)
                || string.Equals(p, "PostgreSQL", StringComparison.OrdinalIgnoreCase) => new PostgresDialect(),
            _ => throw new InvalidOperationException(
                $"{StorageOptions.SectionName}:Provider is '{options.Provider}'; it must be '{StorageOptions.Sqlite}' or '{StorageOptions.Postgres}'."),
        };

        return new SqlDatabase(dialect, options.ConnectionString);
    }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref directoryEnsured) == 0)
        {
            EnsureSqliteDirectory();
            Volatile.Write(ref directoryEnsured, 1);
        }

        if (Volatile.Read(ref sqliteFile) is { } file && !File.Exists(file))
        {
            // The pooled connections still hold the unlinked file; none of them may be used again.
            SqliteConnection.ClearAllPools();
            throw new DatabaseUnavailableException($"the SQLite database file {file} is gone; nothing is read or written until it is restored and the service restarted");
        }

        var connection = Dialect.CreateConnection(Volatile.Read(ref connectionString));
        try
        {
            await connection.OpenAsync(cancellationToken);
            await Dialect.InitializeConnectionAsync(connection, cancellationToken);
            if (sqliteFile is null)
            {
                StopCreating();
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>After the first successful open of a SQLite file: never create it again (see the remarks).</summary>
    private void StopCreating()
    {
        if (Dialect is not SqliteDialect || SqliteFile(connectionString) is not { } file)
        {
            return;
        }

        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.Mode is SqliteOpenMode.ReadWriteCreate)
        {
            builder.Mode = SqliteOpenMode.ReadWrite;
        }

        Volatile.Write(ref connectionString, builder.ToString());
        Volatile.Write(ref sqliteFile, file);
    }

    /// <summary>The full path of a file database, or null for <c>:memory:</c>, shared in-memory and URI data sources.</summary>
    private static string? SqliteFile(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        var dataSource = builder.DataSource;
        if (string.IsNullOrEmpty(dataSource) || dataSource.StartsWith(':') || dataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase)
            || builder.Mode is SqliteOpenMode.Memory)
        {
            return null;
        }

        return Path.GetFullPath(dataSource);
    }

    /// <summary>The default <c>Data Source=data/alerts.db</c> must work on a fresh clone, where <c>data/</c> does not exist yet.</summary>
    private void EnsureSqliteDirectory()
    {
        if (Dialect is not SqliteDialect)
        {
            return;
        }

        var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
        if (string.IsNullOrEmpty(dataSource) || dataSource.StartsWith(':') || dataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
    }
}

/// <summary>The database cannot be used at all (its file is gone): every store call fails with this until it is restored.</summary>
public sealed class DatabaseUnavailableException(string message) : DbException(message);
