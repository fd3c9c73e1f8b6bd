using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Alerts.Storage.Sql;

/// <summary>One configured database: opens ready-to-use connections. Stores open one per operation; the drivers pool them.</summary>
internal sealed class SqlDatabase
{
    private readonly string connectionString;
    private int directoryEnsured;

    public SqlDatabase(ISqlDialect dialect, string connectionString)
    {
        Dialect = dialect;
        this.connectionString = connectionString;
    }

    public ISqlDialect Dialect { get; }

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

        var connection = Dialect.CreateConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await Dialect.InitializeConnectionAsync(connection, cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
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
