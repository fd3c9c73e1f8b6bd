using Alerts.Host.Options;
using Alerts.Host.Polling;

namespace Alerts.Host.Tests.Polling;

public sealed class InstanceIdentityTests
{
    [Fact]
    public void WithoutAConfiguredIdTheSameMachineAndDirectoryIsTheSameOwnerAfterARestart()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new AlertsOptions());

        var first = new InstanceIdentity(options);
        var restarted = new InstanceIdentity(options);

        Assert.Equal(first.Id, restarted.Id);
        Assert.Equal(InstanceIdentity.StableId(Environment.MachineName, Directory.GetCurrentDirectory()), first.Id);
        Assert.StartsWith(Environment.MachineName + "-", first.Id, StringComparison.Ordinal);
    }

    [Fact]
    public void TwoDataDirectoriesOnOneMachineAreTwoOwners()
    {
        Assert.NotEqual(InstanceIdentity.StableId("box", "/srv/alerts-a"), InstanceIdentity.StableId("box", "/srv/alerts-b"));
        Assert.NotEqual(InstanceIdentity.StableId("box-1", "/srv/alerts"), InstanceIdentity.StableId("box-2", "/srv/alerts"));
        Assert.Equal(InstanceIdentity.StableId("box", "/srv/alerts"), InstanceIdentity.StableId("box", "/srv/alerts/"));
    }

    [Fact]
    public void AConfiguredIdWins()
    {
        var identity = new InstanceIdentity(Microsoft.Extensions.Options.Options.Create(new AlertsOptions { InstanceId = "one" }));

        Assert.Equal("one", identity.Id);
        Assert.Equal("i-one", identity.Queue);
    }
}
