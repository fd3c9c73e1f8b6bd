using Alerts.Core.Alerts;
using Alerts.Core.Delivery;
using Alerts.Core.Subscriptions;
using Alerts.Discord.Rendering;

namespace Alerts.Discord.Tests;

public class RenderingTests
{
    private static readonly AlertContext Berlin = new("ntv.de Ukraine-Liveticker", TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));

    internal static OutboxAlert Alert(string headline = "Drohnenangriff auf Kiew", string body = "In der Nacht griffen Drohnen die Hauptstadt an.", IReadOnlyList<string>? matched = null, string? url = "https://www.n-tv.de/politik/article23143824.html#entry-1") =>
        new(1, "discord-channel:1", "ntv-ukraine", "key-1", new DateTimeOffset(2025, 12, 1, 14, 29, 0, TimeSpan.Zero), headline, body, url, "Drohne*", matched ?? ["Drohnen"], DateTimeOffset.UnixEpoch);

    [Fact]
    public void EscapesMarkdownSoTickerTextShowsAsWritten()
    {
        Assert.Equal(@"\*\*fett\*\* \_x\_ \~\~y\~\~ \`code\` \|\|s\|\| \[a\]\(b\) \<@123\>", DiscordMarkdown.Escape("**fett** _x_ ~~y~~ `code` ||s|| [a](b) <@123>"));
        Assert.Equal("\\# Titel\n\\- Punkt\n \\> Zitat\nNato-Gipfel #1", DiscordMarkdown.Escape("# Titel\n- Punkt\n > Zitat\nNato-Gipfel #1"));
    }

    [Fact]
    public void SetsMatchedWordsInBoldAsWholeWordsOnly()
    {
        var text = DiscordMarkdown.Render(MatchHighlighter.Segment("Drohnen über Kiew; Drohnenabwehr aktiv. DROHNEN!", ["Drohnen"]));
        Assert.Equal("**Drohnen** über Kiew; Drohnenabwehr aktiv. **DROHNEN**!", text);
    }

    [Fact]
    public void EmbedCarriesHeadlineBodySourceTimeAndUrl()
    {
        var embed = DiscordAlertRenderer.Render(Alert(), Berlin);
        Assert.Equal("Drohnenangriff auf Kiew", embed.Title);
        Assert.Equal("In der Nacht griffen **Drohnen** die Hauptstadt an.", embed.Description);
        Assert.Equal("ntv.de Ukraine-Liveticker", embed.Author?.Name);
        Assert.Null(embed.Timestamp); // the time is shown once, in the footer with its zone
        Assert.Equal("01.12.2025 15:29 (Europe/Berlin) · Subscription: Drohne*", embed.Footer?.Text);
        Assert.Equal("https://www.n-tv.de/politik/article23143824.html#entry-1", embed.Url);
    }

    [Fact]
    public void DropsUrlsDiscordWouldReject()
    {
        Assert.Null(DiscordAlertRenderer.Render(Alert(url: "javascript:alert(1)"), Berlin).Url);
        Assert.Null(DiscordAlertRenderer.Render(Alert(url: "/relative"), Berlin).Url);
        Assert.Null(DiscordAlertRenderer.Render(Alert(url: "https://x.example/" + new string('a', 2100)), Berlin).Url);
    }

    [Theory]
    [InlineData("wort ")]
    [InlineData("*_~ ")]
    [InlineData("Drohnen ")]
    public void LongTextStaysWithinDiscordsEmbedLimits(string unit)
    {
        var headline = string.Concat(Enumerable.Repeat(unit, 200));
        var body = string.Concat(Enumerable.Repeat(unit, 3000));
        var embed = DiscordAlertRenderer.Render(Alert(headline, body), Berlin);

        Assert.InRange(embed.Title!.Length, 1, DiscordAlertRenderer.TitleLimit);
        Assert.InRange(embed.Description!.Length, 1, DiscordAlertRenderer.DescriptionLimit);
        Assert.InRange(DiscordAlertRenderer.TotalLength(embed), 1, DiscordAlertRenderer.TotalLimit);
        Assert.EndsWith(MatchHighlighter.Ellipsis, embed.Description, StringComparison.Ordinal);
        Assert.EndsWith(MatchHighlighter.Ellipsis, embed.Title, StringComparison.Ordinal);
        // Never a dangling escape or an unclosed bold marker.
        Assert.False(embed.Description.TrimEnd('…').EndsWith('\\'));
        Assert.Equal(0, CountOf(embed.Description, "**") % 2);
    }

    [Fact]
    public void ShortensOnAWordBoundary()
    {
        var text = "Russland greift erneut die Energieinfrastruktur an";
        var shortened = MatchHighlighter.Shorten(text, 30);
        Assert.Equal("Russland greift erneut die…", shortened);
        Assert.Equal(text, MatchHighlighter.Shorten(text, text.Length));
        Assert.Equal("Ab…", MatchHighlighter.Shorten("Abcdefghijklmnopqrstuvwxyz", 3));
    }

    [Fact]
    public void ShorteningNeverSplitsASurrogatePair()
    {
        var text = new string('x', 9) + "😀" + "yyyy";
        var shortened = MatchHighlighter.Shorten(text, 11);
        Assert.False(char.IsHighSurrogate(shortened[^2]));
    }

    [Fact]
    public void RepliesEscapeEchoedQueriesAndBoldEmphasis()
    {
        var parts = DiscordReplyRenderer.Render(new CommandReply(true, "Subscribed to Drohne* OR _Kiew_.", ["Drohne* OR _Kiew_"]));
        Assert.Equal(@"Subscribed to **Drohne\* OR \_Kiew\_**.", Assert.Single(parts));
    }

    [Fact]
    public void LongRepliesAreSplitIntoMessagesWithinTheContentLimit()
    {
        var lines = Enumerable.Range(1, 60).Select(i => $"{i}. " + string.Concat(Enumerable.Repeat("Raketen* ", 25)));
        var text = string.Join("\n", lines) + "\n" + new string('w', 4500);
        var parts = DiscordReplyRenderer.Render(CommandReply.Ok(text));

        Assert.True(parts.Count > 3);
        Assert.All(parts, p => Assert.InRange(p.Length, 1, DiscordReplyRenderer.ContentLimit));
        Assert.StartsWith("1. Raketen\\*", parts[0], StringComparison.Ordinal);
        Assert.Equal(4500, parts.Sum(p => p.Count(c => c == 'w')));
    }

    private static int CountOf(string text, string what)
    {
        var count = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
