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

public class TelegramRepliesTests
{
    [Fact]
    public void EscapesTheReplyAndSetsEachEmphasisInBoldOnceInOrder()
    {
        var reply = new Alerts.Core.Subscriptions.CommandReply(true, "1. Drohne* & <Kiew>\n2. Nato\n11 Abos", ["1", "Drohne*", "2", "Nato"]);

        var html = Assert.Single(TelegramReplies.Render(reply));

        Assert.Equal("<b>1</b>. <b>Drohne*</b> &amp; &lt;Kiew&gt;\n<b>2</b>. <b>Nato</b>\n11 Abos", html);
    }

    [Fact]
    public void MarksErrorsAndNeverSendsAnEmptyMessage()
    {
        Assert.Equal("⚠️ kaputt &lt;3", Assert.Single(TelegramReplies.Render(Alerts.Core.Subscriptions.CommandReply.Error("kaputt <3"))));
        Assert.Equal("…", Assert.Single(TelegramReplies.Render(Alerts.Core.Subscriptions.CommandReply.Ok("  "))));
    }

    [Fact]
    public void SplitsALongLineWithoutLosingText()
    {
        var text = string.Join(' ', Enumerable.Repeat("wort", 3000));

        var parts = TelegramReplies.Split(text, 4000).ToList();

        Assert.True(parts.Count >= 3);
        Assert.All(parts, p => Assert.InRange(p.Length, 1, 4000));
        Assert.Equal(text, string.Join(' ', parts));
    }
}
