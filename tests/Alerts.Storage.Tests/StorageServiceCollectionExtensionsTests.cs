using Alerts.Core.Delivery;
using Alerts.Core.Diffing;
using Alerts.Core.Subscriptions;
using Alerts.Storage.Migrations;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Storage.Tests;

public sealed class StorageServiceCollectionExtensionsTests
{
    [Fact]
    public void AnUnknownProviderIsRefusedNamingTheConfigurationKey()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            new ServiceCollection().AddAlertsStorage(new StorageOptions { Provider = "MySql", ConnectionString = "Server=x" }));

        Assert.Contains("Alerts:Storage:Provider", error.Message, StringComparison.Ordinal);
        Assert.Contains("MySql", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEmptyConnectionStringIsRefusedNamingTheConfigurationKey()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            new ServiceCollection().AddAlertsStorage(new StorageOptions { Provider = "Sqlite", ConnectionString = " " }));

        Assert.Contains("Alerts:Storage:ConnectionString", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sqlite", "Sqlite")]
    [InlineData("SQLITE", "Sqlite")]
    [InlineData("postgres", "Postgres")]
    [InlineData("PostgreSQL", "Postgres")]
    public void ProviderNamesAreCaseInsensitive(string configured, string expected)
    {
        using var provider = new ServiceCollection()
            .AddAlertsStorage(new StorageOptions { Provider = configured, ConnectionString = expected == "Postgres" ? "Host=unused" : "Data Source=unused.db" })
            .BuildServiceProvider();

        Assert.Equal(expected, provider.GetRequiredService<IStorageMigrator>().Provider);
    }

    [Fact]
    public void AConnectionStringOfTheOtherProviderIsRefusedNamingTheKeyword()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            new ServiceCollection().AddAlertsStorage(new StorageOptions { Provider = "Postgres", ConnectionString = "Data Source=data/alerts.db" }));

        Assert.Contains("Alerts:Storage:ConnectionString is not a valid Npgsql connection string", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryStoreIsRegistered()
    {
        using var provider = new ServiceCollection()
            .AddAlertsStorage(new StorageOptions { Provider = "Sqlite", ConnectionString = "Data Source=unused.db" })
            .BuildServiceProvider();

        Assert.NotNull(provider.GetRequiredService<ITickerStateStore>());
        Assert.NotNull(provider.GetRequiredService<IOutboxStore>());
        Assert.NotNull(provider.GetRequiredService<ILeaseStore>());
        Assert.NotNull(provider.GetRequiredService<ISubscriptionStore>());
        Assert.NotNull(provider.GetRequiredService<IKeyValueStore>());
    }

    [Fact]
    public async Task TheSqliteDataDirectoryIsCreatedOnAFreshMachine()
    {
        var root = Path.Combine(Path.GetTempPath(), "alerts-storage-tests", Guid.NewGuid().ToString("N"));
        var file = Path.Combine(root, "data", "alerts.db");
        try
        {
            await using (var provider = new ServiceCollection()
                .AddAlertsStorage(new StorageOptions { Provider = "Sqlite", ConnectionString = $"Data Source={file}" })
                .BuildServiceProvider())
            {
                await provider.GetRequiredService<IStorageMigrator>().MigrateAsync();
            }

            Assert.True(File.Exists(file));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(root, recursive: true);
        }
    }
}
