using Alerts.Storage.Sql;
using Alerts.Storage.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static Alerts.Storage.Tests.Infrastructure.Builders;

namespace Alerts.Storage.Tests;

public abstract class KeyValueStoreTests(TestDatabase database) : StoreTestBase(database)
{
    [SkippableFact]
    public async Task AMissingKeyReadsAsNull()
    {
        await using var stores = OpenStores();

        Assert.Null(await stores.KeyValues.GetAsync(UniqueId("telegram:offset")));
    }

    [SkippableFact]
    public async Task AValueIsOverwrittenAndSurvivesARestart()
    {
        var key = UniqueId("telegram:offset");
        await using (var stores = OpenStores())
        {
            await stores.KeyValues.SetAsync(key, "41");
            await stores.KeyValues.SetAsync(key, "42");
        }

        await using var restarted = OpenStores();
        Assert.Equal("42", await restarted.KeyValues.GetAsync(key));
    }

    [SkippableFact]
    public async Task ValuesKeepUnicodeAndLength()
    {
        await using var stores = OpenStores();
        var key = UniqueId("note");
        var value = "Selenskyj · Зеленський · " + new string('x', 10_000);

        await stores.KeyValues.SetAsync(key, value);

        Assert.Equal(value, await stores.KeyValues.GetAsync(key));
    }

    [SkippableFact]
    public async Task AValueWithAnExpiryReadsAsAbsentOnceItHasExpired()
    {
        var time = new FakeTimeProvider(T0);
        await using var stores = await OpenFreshStoresAsync(time);
        await stores.KeyValues.SetAsync("offer:abc", "Drohne", T0.AddDays(7));

        time.Advance(TimeSpan.FromDays(7) - TimeSpan.FromSeconds(1));
        Assert.Equal("Drohne", await stores.KeyValues.GetAsync("offer:abc"));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await stores.KeyValues.GetAsync("offer:abc"));
    }

    [SkippableFact]
    public async Task WritingAValueWithAnExpiryRemovesTheExpiredOnesAndKeepsTheRest()
    {
        var options = await Database.CreateDatabaseAsync();
        await using (var then = Stores.Open(options, new FakeTimeProvider(T0)))
        {
            await then.KeyValues.SetAsync("undo:old", "1", T0.AddDays(7));
            await then.KeyValues.SetAsync("undo:young", "2", T0.AddDays(9));
            await then.KeyValues.SetAsync("telegram:offset", "42");
        }

        await using (var later = Stores.Open(options, new FakeTimeProvider(T0.AddDays(8))))
        {
            await later.KeyValues.SetAsync("offer:new", "3", T0.AddDays(15));
        }

        // Read with the old clock: only a deleted row can be missing.
        await using var reader = Stores.Open(options, new FakeTimeProvider(T0));
        Assert.Null(await reader.KeyValues.GetAsync("undo:old"));
        Assert.Equal("2", await reader.KeyValues.GetAsync("undo:young"));
        Assert.Equal("42", await reader.KeyValues.GetAsync("telegram:offset"));
        Assert.Equal("3", await reader.KeyValues.GetAsync("offer:new"));
    }

    [SkippableFact]
    public async Task OffersAndUndosWrittenBeforeTheUpgradeExpireAWeekAfterItAndSettingsStay()
    {
        var options = await Database.CreateDatabaseAsync(migrate: false);
        var sql = SqlDatabase.Create(options);
        await OlderSchema.MigrateToAsync(sql, 5, DateTimeOffset.UtcNow);
        await using (var connection = await sql.OpenAsync(default))
        await using (var insert = connection.Command("INSERT INTO key_values (name, value) VALUES ('offer:old', 'a'), ('undo:old', 'b'), ('telegram:offset', '42')"))
        {
            await insert.ExecuteNonQueryAsync();
        }

        var upgraded = DateTimeOffset.UtcNow;
        await using (var stores = Stores.Open(options))
        {
            await stores.Migrator.MigrateAsync();
        }

        await using var sixDaysOn = Stores.Open(options, new FakeTimeProvider(upgraded.AddDays(6)));
        Assert.Equal("a", await sixDaysOn.KeyValues.GetAsync("offer:old"));
        await using var eightDaysOn = Stores.Open(options, new FakeTimeProvider(upgraded.AddDays(8)));
        Assert.Null(await eightDaysOn.KeyValues.GetAsync("offer:old"));
        Assert.Null(await eightDaysOn.KeyValues.GetAsync("undo:old"));
        Assert.Equal("42", await eightDaysOn.KeyValues.GetAsync("telegram:offset"));
    }

    [SkippableFact]
    public async Task APlainWriteOfAKeyTakesItsExpiryAway()
    {
        var time = new FakeTimeProvider(T0);
        await using var stores = await OpenFreshStoresAsync(time);
        await stores.KeyValues.SetAsync("note", "short-lived", T0.AddMinutes(1));
        await stores.KeyValues.SetAsync("note", "kept");

        time.Advance(TimeSpan.FromDays(30));

        Assert.Equal("kept", await stores.KeyValues.GetAsync("note"));
    }
}

public sealed class SqliteKeyValueStoreTests(SqliteTestDatabase database) : KeyValueStoreTests(database), IClassFixture<SqliteTestDatabase>;

public sealed class PostgresKeyValueStoreTests(PostgresTestDatabase database) : KeyValueStoreTests(database), IClassFixture<PostgresTestDatabase>;
