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
