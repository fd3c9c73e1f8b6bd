using Alerts.Storage.Tests.Infrastructure;
using static Alerts.Storage.Tests.Infrastructure.Builders;

namespace Alerts.Storage.Tests;

public abstract class LeaseStoreTests(TestDatabase database) : StoreTestBase(database)
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [SkippableFact]
    public async Task AFreeLeaseIsTakenAndHeldAgainstOthersUntilItExpires()
    {
        await using var stores = OpenStores();
        var name = UniqueId("poll");

        Assert.True(await stores.Leases.TryAcquireAsync(name, "a", T0, Minute));
        Assert.False(await stores.Leases.TryAcquireAsync(name, "b", T0.AddSeconds(59), Minute));
        Assert.True(await stores.Leases.TryAcquireAsync(name, "b", T0.AddSeconds(60), Minute));
        Assert.False(await stores.Leases.TryAcquireAsync(name, "a", T0.AddSeconds(61), Minute));
    }

    [SkippableFact]
    public async Task TheOwnerRenewsItsLeaseBeforeItExpires()
    {
        await using var stores = OpenStores();
        var name = UniqueId("dispatch");

        Assert.True(await stores.Leases.TryAcquireAsync(name, "a", T0, Minute));
        Assert.True(await stores.Leases.TryAcquireAsync(name, "a", T0.AddSeconds(50), Minute));

        // The renewal moved the end: at 01:10 the lease (now until 01:50) still belongs to a.
        Assert.False(await stores.Leases.TryAcquireAsync(name, "b", T0.AddSeconds(70), Minute));
    }

    [SkippableFact]
    public async Task OnlyTheOwnerCanReleaseALease()
    {
        await using var stores = OpenStores();
        var name = UniqueId("poll");
        Assert.True(await stores.Leases.TryAcquireAsync(name, "a", T0, Minute));

        await stores.Leases.ReleaseAsync(name, "b");
        Assert.False(await stores.Leases.TryAcquireAsync(name, "b", T0.AddSeconds(1), Minute));

        await stores.Leases.ReleaseAsync(name, "a");
        Assert.True(await stores.Leases.TryAcquireAsync(name, "b", T0.AddSeconds(2), Minute));
    }

    [SkippableFact]
    public async Task LeasesWithDifferentNamesAreIndependent()
    {
        await using var stores = OpenStores();
        var prefix = UniqueId("poll");

        Assert.True(await stores.Leases.TryAcquireAsync(prefix + ":a", "x", T0, Minute));
        Assert.True(await stores.Leases.TryAcquireAsync(prefix + ":b", "y", T0, Minute));
    }

    [SkippableFact]
    public async Task OfManyInstancesRacingForAFreeLeaseExactlyOneWins()
    {
        var name = UniqueId("poll");
        var instances = Enumerable.Range(0, 8).Select(_ => OpenStores()).ToList();
        try
        {
            var results = await Task.WhenAll(instances.Select((s, i) => Task.Run(() => s.Leases.TryAcquireAsync(name, $"instance-{i}", T0, Minute))));

            Assert.Single(results, won => won);
        }
        finally
        {
            foreach (var s in instances)
            {
                await s.DisposeAsync();
            }
        }
    }
}

public sealed class SqliteLeaseStoreTests(SqliteTestDatabase database) : LeaseStoreTests(database), IClassFixture<SqliteTestDatabase>;

public sealed class PostgresLeaseStoreTests(PostgresTestDatabase database) : LeaseStoreTests(database), IClassFixture<PostgresTestDatabase>;
