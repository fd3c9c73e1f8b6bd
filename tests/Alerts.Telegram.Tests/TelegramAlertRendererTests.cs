using System.Text;
using Alerts.Core.Alerts;

namespace Alerts.Telegram.Tests;

public class TelegramAlertRendererTests
{
    [Fact]
    public void RendersHeadlineBoldBodyTimeSourceAndLink()
    {
        var html = TelegramAlertRenderer.Render(Build.Alert(), Build.Context());

        Assert.Equal(
            "<b>Drohnenangriff auf Kiew</b>\n"
            + "🕒 01.12.2025 15:29 (Europe/Berlin) · ntv.de Ukraine-Liveticker\n" // 14:29 UTC in Berlin (CET), the zone named
            + "🔎 Subscription: Drohne*\n\n"
            + "In der Nacht griffen <b>Drohnen</b> die Hauptstadt an.\n\n"
            + "<a href=\"https://www.n-tv.de/politik/x-article23143824.html#entry-1\">Open entry</a>",
            html);
    }

    [Fact]
    public void ShowsTheTimeInTheSubscribersZoneWithDaylightSaving()
    {
        var summer = Build.Alert(published: new DateTimeOffset(2025, 7, 1, 10, 0, 0, TimeSpan.Zero));

        var html = TelegramAlertRenderer.Render(summer, Build.Context());

        Assert.Contains("01.07.2025 12:00 (Europe/Berlin)", html, StringComparison.Ordinal);
    }

    [Fact]
    public void EscapesEveryTextFromTheTicker()
    {
        var alert = Build.Alert(
            headline: "Angriff <b>& \"Drohnen\"</b>",
            body: "Kosten < 5 & > 3 Drohnen <script>alert(1)</script>",
            url: "https://example.org/a?x=1&y=\"2\"",
            matched: ["Drohnen"]);

        var html = TelegramAlertRenderer.Render(alert, Build.Context("Quelle <&>"));

        Assert.Contains("<b>Angriff &lt;b&gt;&amp; &quot;Drohnen&quot;&lt;/b&gt;</b>", html, StringComparison.Ordinal);
        Assert.Contains("Kosten &lt; 5 &amp; &gt; 3 <b>Drohnen</b> &lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("href=\"https://example.org/a?x=1&amp;y=&quot;2&quot;\"", html, StringComparison.Ordinal);
        Assert.Contains("Quelle &lt;&amp;&gt;", html, StringComparison.Ordinal);
        Assert.Equal(["b", "/b", "b", "/b", "a", "/a"], Tags(html));
    }

    [Fact]
    public void SetsEveryOccurrenceOfTheMatchedWordsInBoldButNotInsideOtherWords()
    {
        var alert = Build.Alert(body: "Drohnen, drohnen-Alarm und Drohnenabwehr. DROHNEN!", matched: ["Drohnen"]);

        var html = TelegramAlertRenderer.Render(alert, Build.Context());

        Assert.Contains("<b>Drohnen</b>, <b>drohnen</b>-Alarm und Drohnenabwehr. <b>DROHNEN</b>!", html, StringComparison.Ordinal);
    }

    [Fact]
    public void NamesTheSubscriptionThatFiredInTheSubscribersLanguage()
    {
        var html = TelegramAlertRenderer.Render(Build.Alert(matched: ["Drohnen", "Kiew"]), Build.Context(), Alerts.Core.Subscriptions.ChatTexts.German, 2, longFormat: false);

        Assert.Contains("\n🔎 Abo #2: Drohne*\n", html, StringComparison.Ordinal);
        Assert.EndsWith(">Eintrag öffnen</a>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSummaryOfAlertsOverThePollCapIsWordedInTheSubscribersLanguage()
    {
        var summary = Build.Alert(headline: "… and 37 more entries matched", body: "• Drohnen über Kiew") with { ItemKey = "e-1#and-37-more" };

        var german = TelegramAlertRenderer.Render(summary, Build.Context(), Alerts.Core.Subscriptions.ChatTexts.German, 1, longFormat: false);
        var english = TelegramAlertRenderer.Render(summary, Build.Context(), Alerts.Core.Subscriptions.ChatTexts.English, 1, longFormat: false);

        Assert.StartsWith("<b>… und 37 weitere Einträge haben gepasst.</b>", german, StringComparison.Ordinal);
        Assert.StartsWith("<b>… and 37 more entries matched.</b>", english, StringComparison.Ordinal);
    }

    [Fact]
    public void TheShortFormatKeepsAboutFourHundredCharactersOfTheBody()
    {
        var body = string.Join(' ', Enumerable.Repeat("Drohnen über Kiew.", 100));

        var shortHtml = TelegramAlertRenderer.Render(Build.Alert(body: body), Build.Context());
        var longHtml = TelegramAlertRenderer.Render(Build.Alert(body: body), Build.Context(), Alerts.Core.Subscriptions.ChatTexts.English, 1, longFormat: true);

        var shortBody = shortHtml.Split("\n\n")[1];
        Assert.InRange(FakeBotApi.VisibleLength(shortBody), 350, 400);
        Assert.EndsWith("…", shortBody, StringComparison.Ordinal);
        Assert.Contains(body.Replace("Drohnen", "<b>Drohnen</b>", StringComparison.Ordinal), longHtml, StringComparison.Ordinal);
    }

    [Fact]
    public void TickerTextNeverMentionsAnyone()
    {
        var html = TelegramAlertRenderer.Render(Build.Alert(headline: "@durov schreibt", body: "Laut @ntv_de und mail@example.org: @"), Build.Context());

        Assert.Contains("<b>@\u2060durov schreibt</b>", html, StringComparison.Ordinal);
        Assert.Contains("Laut @\u2060ntv_de und mail@\u2060example.org: @", html, StringComparison.Ordinal);
        Assert.DoesNotMatch("@[A-Za-z0-9_]", html);
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("/relative/path")]
    [InlineData(null)]
    public void LeavesOutLinksThatAreNotHttp(string? url)
    {
        var html = TelegramAlertRenderer.Render(Build.Alert(url: url), Build.Context());

        Assert.DoesNotContain("<a ", html, StringComparison.Ordinal);
    }

    [Fact]
    public void ShortensALongBodyOnAWordBoundaryAndStaysBelowTheLimit()
    {
        var body = string.Join(' ', Enumerable.Repeat("Drohnen & <Raketen>", 1000));
        var alert = Build.Alert(body: body, matched: ["Drohnen", "Raketen"]);

        var html = TelegramAlertRenderer.Render(alert, Build.Context(), Alerts.Core.Subscriptions.ChatTexts.English, 1, longFormat: true);

        var visible = FakeBotApi.VisibleLength(html);
        Assert.InRange(visible, 3500, TelegramAlertRenderer.SafeLength);
        Assert.True(html.Length > 4096, "markup and entities do not count, so the raw HTML may be longer");
        Assert.Contains("…\n\n<a href", html, StringComparison.Ordinal);
        var beforeEllipsis = html[..html.IndexOf('…', StringComparison.Ordinal)];
        Assert.True(beforeEllipsis.EndsWith("&gt;", StringComparison.Ordinal) || beforeEllipsis.EndsWith("&amp;", StringComparison.Ordinal) || beforeEllipsis.EndsWith("</b>", StringComparison.Ordinal),
            $"cut inside a word, entity or tag: …{beforeEllipsis[^20..]}");
        Assert.Equal(Tags(html).Count(t => t == "b"), Tags(html).Count(t => t == "/b"));
        Assert.Contains("<a href=", html, StringComparison.Ordinal);
    }

    [Fact]
    public void NeverCutsASurrogatePairWhenThereIsNoSpace()
    {
        var body = string.Concat(Enumerable.Repeat("😀", 5000));

        var html = TelegramAlertRenderer.Render(Build.Alert(body: body), Build.Context(), Alerts.Core.Subscriptions.ChatTexts.English, 1, longFormat: true);

        Assert.True(FakeBotApi.VisibleLength(html) <= TelegramAlertRenderer.SafeLength);
        var bodyPart = html.Split("\n\n")[1];
        Assert.EndsWith("😀…", bodyPart, StringComparison.Ordinal);
        Assert.True(Encoding.UTF8.GetByteCount(bodyPart) > 0);
        Assert.DoesNotContain('\uFFFD', Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(bodyPart)));
    }

    [Fact]
    public void StaysWithinTheLimitForAnyMixOfLongParts()
    {
        var random = new Random(4096);
        string[] alphabet = ["a", "b", "c", " ", "<", ">", "&", "\"", "ü", "😀", "\n", " Drohnen "];
        for (var round = 0; round < 200; round++)
        {
            string Text(int max) => string.Concat(Enumerable.Range(0, random.Next(max)).Select(_ => alphabet[random.Next(alphabet.Length)]));
            var alert = Build.Alert(headline: Text(3000), body: Text(12000), matched: ["Drohnen", Text(50)]);

            var html = TelegramAlertRenderer.Render(alert, Build.Context(Text(400)), Alerts.Core.Subscriptions.ChatTexts.German, round, longFormat: round % 2 == 0);

            Assert.InRange(FakeBotApi.VisibleLength(html), 1, TelegramAlertRenderer.SafeLength);
            Assert.Equal(Tags(html).Count(t => t == "b"), Tags(html).Count(t => t == "/b"));
            Assert.DoesNotContain('\uFFFD', Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(html)));
        }
    }

    [Fact]
    public void KeepsParagraphsAndDropsExtraBlankLines()
    {
        var html = TelegramAlertRenderer.Render(Build.Alert(body: "Erster Absatz.\r\n\r\n\r\n\r\nZweiter Absatz.\nZeile"), Build.Context());

        Assert.Contains("Erster Absatz.\n\nZweiter Absatz.\nZeile\n\n", html, StringComparison.Ordinal);
    }

    [Fact]
    public void HighlighterMergesOverlapsAndIgnoresEmptyWords()
    {
        var spans = MatchHighlighter.FindSpans("Nato-Äußerungen der Nato", ["Nato", "nato-äußerungen", "", "  "]);

        Assert.Equal([new TextSpan(0, 15), new TextSpan(20, 4)], spans);
    }

    private static List<string> Tags(string html) =>
        [.. System.Text.RegularExpressions.Regex.Matches(html, "<(/?[a-z]+)[^>]*>").Select(m => m.Groups[1].Value)];
}
