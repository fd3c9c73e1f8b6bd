using Alerts.Host.Options;
using Alerts.Host.Startup;
using Microsoft.Extensions.Configuration;

namespace Alerts.Host.Tests.Operations;

/// <summary>The start-up walk that finds values the binder would throw on or silently drop.</summary>
public sealed class BindingCheckTests
{
    [Fact]
    public void AListElementThatDoesNotConvertIsReportedByItsIndexInsteadOfDropped()
    {
        var problems = Check(new()
        {
            ["Alerts:Sources:0:Id"] = "good",
            ["Alerts:Sources:0:PollInterval"] = "00:00:05",
            ["Alerts:Sources:1:Id"] = "bad",
            ["Alerts:Sources:1:PollInterval"] = "5s",
        });

        Assert.Equal(["Alerts:Sources:1:PollInterval '5s' is not a duration; write [d.]hh:mm:ss, e.g. 00:01:00 for one minute"], problems);
    }

    [Fact]
    public void KeysAreMatchedCaseInsensitivelyAsTheBinderDoes()
    {
        var problems = Check(new() { ["alerts:polling:maxresponsebytes"] = "lots", ["Alerts:Polling:Enabled"] = "yes" });

        Assert.Equal(["Alerts:Polling:Enabled 'yes' is not true or false", "Alerts:Polling:maxresponsebytes 'lots' is not a whole number"], problems);
    }

    [Fact]
    public void AnUndefinedEnumNumberIsNotAMode()
    {
        var problems = Check(new() { ["Alerts:Telegram:Mode"] = "7" });

        Assert.Equal(["Alerts:Telegram:Mode '7' is not one of Polling, Webhook"], problems);
    }

    [Fact]
    public void ValidValuesUnknownKeysAndEmptyValuesAreNotProblems()
    {
        var problems = Check(new()
        {
            ["Alerts:Telegram:Mode"] = "webhook",
            ["Alerts:Polling:Timeout"] = "1.00:00:00",
            ["Alerts:Polling:MaxBackoff"] = "",
            ["Alerts:Sources:0:Kind"] = "anything: strings always convert",
            ["Alerts:SomethingNew:Value"] = "x",
        });

        Assert.Empty(problems);
    }

    private static List<string> Check(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return BindingCheck.Problems(configuration,
        [
            new BoundSection(AlertsOptions.Section, typeof(AlertsOptions)),
            new BoundSection(PollingOptions.Section, typeof(PollingOptions)),
            new BoundSection("Alerts:Telegram", typeof(Alerts.Telegram.TelegramOptions)),
        ]);
    }
}
