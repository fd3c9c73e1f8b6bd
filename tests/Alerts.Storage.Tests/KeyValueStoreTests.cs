using Alerts.Storage.Tests.Infrastructure;
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
}

public sealed class SqliteKeyValueStoreTests(SqliteTestDatabase database) : KeyValueStoreTests(database), IClassFixture<SqliteTestDatabase>;

public sealed class PostgresKeyValueStoreTests(PostgresTestDatabase database) : KeyValueStoreTests(database), IClassFixture<PostgresTestDatabase>;
