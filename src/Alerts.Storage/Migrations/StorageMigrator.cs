using System.Data.Common;
using System.Globalization;
using System.Reflection;
using Alerts.Storage.Sql;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Alerts.Storage.Migrations;

/// <summary>Brings the database schema up to date; the host calls it once at start-up, before any store is used.</summary>
public interface IStorageMigrator
{
    /// <summary><c>Sqlite</c> or <c>Postgres</c>.</summary>
    string Provider { get; }

    /// <summary>Applies every migration the database lacks, in order, each in its own transaction. Returns the schema version reached.</summary>
    /// <exception cref="InvalidOperationException">The database was migrated by a newer build than this one.</exception>
    Task<int> MigrateAsync(CancellationToken cancellationToken = default);

    /// <summary>The schema version of the database (0 before the first migration); also a cheap health probe.</summary>
    Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken = default);
}

/// <summary>A numbered script from <c>Migrations/{Provider}/NNNN_name.sql</c>.</summary>
internal sealed record Migration(int Version, string Name, string Sql);

internal sealed class StorageMigrator(SqlDatabase database, TimeProvider time, ILogger<StorageMigrator>? logger = null) : IStorageMigrator
{
    private readonly ILogger logger = logger ?? NullLogger<StorageMigrator>.Instance;

    public string Provider => database.Dialect.Provider;

    public static IReadOnlyList<Migration> LoadMigrations(ISqlDialect dialect)
    {
        var assembly = typeof(StorageMigrator).Assembly;
        var prefix = $"Alerts.Storage.Migrations.{dialect.MigrationsFolder}.";
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            // The logical name keeps the folder separator of the build machine.
            var normalized = resource.Replace('\\', '.').Replace('/', '.');
            if (!normalized.StartsWith(prefix, StringComparison.Ordinal) || !normalized.EndsWith(".sql", StringComparison.Ordinal))
            {
                continue;
            }

            var fileName = normalized[prefix.Length..^".sql".Length];
            var separator = fileName.IndexOf('_', StringComparison.Ordinal);
            if (separator <= 0 || !int.TryParse(fileName[..separator], NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                throw new InvalidOperationException($"Migration '{resource}' is not named NNNN_name.sql.");
            }

            migrations.Add(new Migration(version, fileName[(separator + 1)..], Read(assembly, resource)));
        }

        if (migrations.Count == 0)
        {
            throw new InvalidOperationException($"No migration scripts for {dialect.Provider} are embedded in {assembly.GetName().Name}.");
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != i + 1)
            {
                throw new InvalidOperationException($"Migrations of {dialect.Provider} must be numbered 1, 2, 3 … without gaps; found {migrations[i].Version} at position {i + 1}.");
            }
        }

        return migrations;
    }

    public async Task<int> MigrateAsync(CancellationToken cancellationToken = default)
    {
        var dialect = database.Dialect;
        var migrations = LoadMigrations(dialect);

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var migrationLock = await dialect.LockForMigrationAsync(connection, cancellationToken);
        await using (var create = connection.Command(dialect.SchemaVersionTableDdl))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        var current = await ReadVersionAsync(connection, null, cancellationToken);
        if (current > migrations.Count)
        {
            throw new InvalidOperationException(
                $"The {dialect.Provider} database is at schema version {current}, but this build knows only {migrations.Count}; run a newer build of Alerts.");
        }

        foreach (var migration in migrations.Where(m => m.Version > current))
        {
            await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken);

            // Another instance may have applied it while we waited for the lock (SQLite has no lock before this transaction).
            if (await ReadVersionAsync(connection, transaction, cancellationToken) >= migration.Version)
            {
                await transaction.RollbackAsync(cancellationToken);
                continue;
            }

            await using (var script = connection.Command(migration.Sql, transaction))
            {
                await script.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var record = connection.Command("INSERT INTO schema_version (version, name, applied_at) VALUES (@version, @name, @at)", transaction))
            {
                await record.With("version", migration.Version).With("name", migration.Name).With("at", dialect.Time(time.GetUtcNow()))
                    .ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            logger.LogInformation("Applied {Provider} schema migration {Version} ({Name})", dialect.Provider, migration.Version, migration.Name);
        }

        return await ReadVersionAsync(connection, null, cancellationToken);
    }

    public async Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var exists = connection.Command(database.Dialect.SchemaVersionExistsSql);
        if (Convert.ToInt64(await exists.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) == 0)
        {
            return 0;
        }

        return await ReadVersionAsync(connection, null, cancellationToken);
    }

    private static async Task<int> ReadVersionAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.Command("SELECT COALESCE(MAX(version), 0) FROM schema_version", transaction);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Migration resource '{resource}' is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
