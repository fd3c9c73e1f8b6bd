using Alerts.Storage.Migrations;
using Alerts.Storage.Sql;
using Alerts.Storage.Tests.Infrastructure;

namespace Alerts.Storage.Tests;

public abstract class MigrationTests(TestDatabase database) : StoreTestBase(database)
{
    private int KnownVersion => StorageMigrator.LoadMigrations(SqlDatabase.Create(Database.Options).Dialect).Count;

    [SkippableFact]
    public async Task AnEmptyDatabaseIsMigratedToTheNewestVersion()
    {
        await using var stores = Stores.Open(await Database.CreateDatabaseAsync(migrate: false));
        Assert.Equal(0, await stores.Migrator.GetSchemaVersionAsync());

        var version = await stores.Migrator.MigrateAsync();

        Assert.True(KnownVersion >= 2);
        Assert.Equal(KnownVersion, version);
        Assert.Equal(KnownVersion, await stores.Migrator.GetSchemaVersionAsync());
        Assert.Equal(Database.Provider, stores.Migrator.Provider);
    }

    [SkippableFact]
    public async Task MigratingAgainChangesNothingAndKeepsTheData()
    {
        var options = await Database.CreateDatabaseAsync();
        await using (var first = Stores.Open(options))
        {
            await first.KeyValues.SetAsync("kept", "yes");
        }

        await using var second = Stores.Open(options);
        Assert.Equal(KnownVersion, await second.Migrator.MigrateAsync());
        Assert.Equal(KnownVersion, await second.Migrator.MigrateAsync());
        Assert.Equal("yes", await second.KeyValues.GetAsync("kept"));
        Assert.Equal(Enumerable.Range(1, KnownVersion), await ReadAppliedVersionsAsync(options));
    }

    [SkippableFact]
    public async Task InstancesStartingAtOnceMigrateOnce()
    {
        var options = await Database.CreateDatabaseAsync(migrate: false);
        var instances = Enumerable.Range(0, 4).Select(_ => Stores.Open(options)).ToList();
        try
        {
            var versions = await Task.WhenAll(instances.Select(s => Task.Run(() => s.Migrator.MigrateAsync())));

            Assert.All(versions, v => Assert.Equal(KnownVersion, v));
            Assert.Equal(Enumerable.Range(1, KnownVersion), await ReadAppliedVersionsAsync(options));
        }
        finally
        {
            foreach (var s in instances)
            {
                await s.DisposeAsync();
            }
        }
    }

    [SkippableFact]
    public async Task ADatabaseFromANewerBuildIsRefusedWithAClearError()
    {
        var options = await Database.CreateDatabaseAsync();
        var database = SqlDatabase.Create(options);
        await using (var connection = await database.OpenAsync(default))
        {
            await using var command = connection.Command("INSERT INTO schema_version (version, name, applied_at) VALUES (@v, 'from_the_future', @at)")
                .With("v", 999).With("at", database.Dialect.Time(DateTimeOffset.UtcNow));
            await command.ExecuteNonQueryAsync();
        }

        await using var stores = Stores.Open(options);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => stores.Migrator.MigrateAsync());

        Assert.Contains("999", error.Message, StringComparison.Ordinal);
    }

    private static async Task<IReadOnlyList<int>> ReadAppliedVersionsAsync(StorageOptions options)
    {
        var database = SqlDatabase.Create(options);
        await using var connection = await database.OpenAsync(default);
        await using var command = connection.Command("SELECT version FROM schema_version ORDER BY version");
        await using var reader = await command.ExecuteReaderAsync();
        var versions = new List<int>();
        while (await reader.ReadAsync())
        {
            versions.Add(reader.GetInt32(0));
        }

        return versions;
    }
}

public sealed class SqliteMigrationTests(SqliteTestDatabase database) : MigrationTests(database), IClassFixture<SqliteTestDatabase>;

public sealed class PostgresMigrationTests(PostgresTestDatabase database) : MigrationTests(database), IClassFixture<PostgresTestDatabase>;
