using Alerts.Storage.Sql;
using Alerts.Storage.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Alerts.Storage.Tests;

public sealed class SqliteDialectTests(SqliteTestDatabase database) : IClassFixture<SqliteTestDatabase>
{
    [Fact]
    public async Task AWriteTransactionHoldsTheWriteLockBeforeItsFirstStatement()
    {
        var db = SqlDatabase.Create(database.Options);
        await using var writer = await db.OpenAsync(default);
        await using var transaction = await db.Dialect.BeginWriteAsync(writer, default);

        // A deferred BEGIN would take no lock yet, and two such transactions could deadlock on the upgrade.
        await using var other = new SqliteConnection(database.Options.ConnectionString);
        await other.OpenAsync();
        await using var command = other.CreateCommand();
        command.CommandText = "INSERT INTO key_values (name, value) VALUES ('probe', 'x')";
        command.CommandTimeout = 1;
        var error = await Assert.ThrowsAsync<SqliteException>(() => command.ExecuteNonQueryAsync());

        Assert.Equal(5, error.SqliteErrorCode); // SQLITE_BUSY
    }

    [Fact]
    public async Task TheDatabaseRunsInWalMode()
    {
        await using var connection = new SqliteConnection(database.Options.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";

        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }
}

public sealed class DeletedSqliteFileTests
{
    [Fact]
    public async Task ADeletedDatabaseFileIsNeverCreatedAgainAndEveryOpenSaysItIsGone()
    {
        var directory = Path.Combine(Path.GetTempPath(), "alerts-gone-" + Guid.NewGuid().ToString("N")[..8]);
        var file = Path.Combine(directory, "alerts.db");
        var db = SqlDatabase.Create(new StorageOptions { Provider = StorageOptions.Sqlite, ConnectionString = $"Data Source={file}" });
        try
        {
            // The first open creates the file (a fresh install); a pooled connection stays open on it.
            await using (var first = await db.OpenAsync(default))
            {
                await using var create = first.CreateCommand();
                create.CommandText = "CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);";
                await create.ExecuteNonQueryAsync();
            }

            File.Delete(file);

            var error = await Assert.ThrowsAsync<DatabaseUnavailableException>(() => db.OpenAsync(default));
            Assert.Contains($"{file} is gone", error.Message, StringComparison.Ordinal);
            await Assert.ThrowsAsync<DatabaseUnavailableException>(() => db.OpenAsync(default));
            Assert.False(File.Exists(file));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task AfterTheFirstOpenAMissingFileIsNotCreatedEvenWhenTheCheckIsRacedPast()
    {
        // Deleted between the existence check and the open: Mode=ReadWrite makes SQLite refuse instead of creating.
        var directory = Path.Combine(Path.GetTempPath(), "alerts-gone-" + Guid.NewGuid().ToString("N")[..8]);
        var file = Path.Combine(directory, "alerts.db");
        var db = SqlDatabase.Create(new StorageOptions { Provider = StorageOptions.Sqlite, ConnectionString = $"Data Source={file};Pooling=False" });
        try
        {
            await (await db.OpenAsync(default)).DisposeAsync();
            Assert.Contains("Mode=ReadWrite", db.ConnectionString, StringComparison.Ordinal);
            File.Delete(file);

            await using var direct = new SqliteConnection(db.ConnectionString);
            await Assert.ThrowsAsync<SqliteException>(() => direct.OpenAsync());
            Assert.False(File.Exists(file));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }
}
