namespace Alerts.Telegram.Tests;

public class TelegramCommandTests
{
    [Theory]
    [InlineData("/subscribe Drohne*", "subscribe", null, "Drohne*")]
    [InlineData("/sub   Drohne* OR \"Kiew\"  ", "sub", null, "Drohne* OR \"Kiew\"")]
    [InlineData("/list@AlertsTestBot", "list", "AlertsTestBot", "")]
    [InlineData("/SUBSCRIBE@AlertsTestBot Nato", "subscribe", "AlertsTestBot", "Nato")]
    [InlineData("/unsub\n2", "unsub", null, "2")]
    public void ParsesNameAddresseeAndArguments(string text, string name, string? addressee, string arguments)
    {
        var command = TelegramCommand.Parse(text);

        Assert.Equal(new TelegramCommand(name, addressee, arguments), command);
    }

    [Theory]
    [InlineData("hello")]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("/@bot")]
    [InlineData("/über")]
    [InlineData(" /list")]
    public void IgnoresTextThatIsNotACommand(string text)
    {
        Assert.Null(TelegramCommand.Parse(text));
    }

    [Fact]
    public void IsForThisBotOnlyWhenUnaddressedOrAddressedToIt()
    {
        Assert.True(TelegramCommand.Parse("/list")!.IsFor("AlertsTestBot"));
        Assert.True(TelegramCommand.Parse("/list@alertstestbot")!.IsFor("AlertsTestBot"));
        Assert.False(TelegramCommand.Parse("/list@OtherBot")!.IsFor("AlertsTestBot"));
        Assert.False(TelegramCommand.Parse("/list@AlertsTestBot")!.IsFor(null));
    }
}
