namespace Alerts.Storage.Tests.Infrastructure;

/// <summary>Base of every store test class: skips (or, on CI, fails) when the class's database is not available.</summary>
public abstract class StoreTestBase
{
    protected StoreTestBase(TestDatabase database)
    {
        Database = database;
        database.SkipIfUnavailable();
    }

    protected TestDatabase Database { get; }

    /// <summary>New store instances over the class's database, as a freshly started process would have them.</summary>
    protected Stores OpenStores(TimeProvider? time = null) => Stores.Open(Database.Options, time);

    /// <summary>New store instances over a database of this test's own (for tests that look at a whole table).</summary>
    protected async Task<Stores> OpenFreshStoresAsync(TimeProvider? time = null) => Stores.Open(await Database.CreateDatabaseAsync(), time);
}
