using System.Globalization;
using Alerts.Core.Diffing;
using Alerts.Host.Options;
using Alerts.Host.Polling;
using Alerts.Host.Tests.Fakes;
using Microsoft.Extensions.Options;

namespace Alerts.Host.Tests.Polling;

/// <summary>An ntv source as configured by an operator, polled by the service with the real parser (issue 9).</summary>
public sealed class NtvSourceTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    [Fact]
    public async Task AServiceConfiguredWithAnIdAddressOfThe2025TemplatePollsItAndAlertsTheNewEntry()
    {
        await using var ticker = await FakeTicker.StartAsync();
        await using var app = new AlertsApp { RealParsers = true };
        app.Settings["Alerts:Sources:0:Kind"] = "ntv-liveticker";
        app.Settings["Alerts:Sources:0:Url"] = ticker.Url + "/politik/Ukraine-Krieg-im-Liveticker-id30012345.html";

        // Entry times relative to now, so that the poll's own clock (the fetch time) dates them.
        var now = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, Berlin);
        var older = now.AddMinutes(-50);
        var newest = now.AddMinutes(-2);
        ticker.Page = Page((older, "Ruhige Lage an der Front"));
        Assert.Equal(PollOutcome.Unchanged, await PollAsync(app));

        ticker.Page = Page((newest, "Ukraine meldet abgewehrte Drohnen"), (older, "Ruhige Lage an der Front"));
        Assert.Equal(PollOutcome.Changed, await PollAsync(app));

        var row = Assert.Single(app.Store.Rows);
        Assert.Equal("Ukraine meldet abgewehrte Drohnen", row.Alert.Headline);
        Assert.Equal(ItemIdentity.EntryKey(new TimeOnly(newest.Hour, newest.Minute), "Ukraine meldet abgewehrte Drohnen"), row.Alert.ItemKey);
        Assert.Equal(Minute(newest), row.Alert.Published);
        Assert.StartsWith(ticker.Url + "/politik/Ukraine-Krieg-im-Liveticker-id30012345.html", row.Alert.Url, StringComparison.Ordinal);

        // The same page again: nothing new.
        Assert.Equal(PollOutcome.Unchanged, await PollAsync(app));
        Assert.Single(app.Store.Rows);
    }

    [Fact]
    public async Task AHostilePageOfAHundredThousandNestedDivsFailsThePollWithinTheParseBudget()
    {
        await using var ticker = await FakeTicker.StartAsync();
        await using var app = new AlertsApp { RealParsers = true };
        app.Settings["Alerts:Sources:0:Kind"] = "ntv-liveticker";
        app.Settings["Alerts:Sources:0:Url"] = ticker.Url + "/politik/Ukraine-Krieg-im-Liveticker-id30012345.html";
        var hostile = new System.Text.StringBuilder("<!DOCTYPE html><html><body>");
        hostile.Insert(hostile.Length, "<div>", 100_000).Append("Liveticker+++ 10:00 Tief +++<br>Text.");
        ticker.Page = hostile.ToString();

        var started = TimeProvider.System.GetTimestamp();
        Assert.Equal(PollOutcome.Failed, await PollAsync(app));

        // The default budget is 5 s of parsing; without it this page took about a minute of CPU.
        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(30));
        var reason = app.Get<SourcePoller>().Status("test").LastError;
        Assert.Contains("unreadable page", reason, StringComparison.Ordinal);
        Assert.Contains("budget", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://www.n-tv.de/politik/Ukraine-Krieg-im-Liveticker-article23143824.html")]
    [InlineData("https://www.n-tv.de/politik/Ukraine-Krieg-im-Liveticker-id23143824.html")]
    public async Task BothAddressFormsAreAcceptedAndNameTheSameArticle(string url)
    {
        await using var app = new AlertsApp();
        app.Settings["Alerts:Sources:0:Kind"] = "ntv-liveticker";
        app.Settings["Alerts:Sources:0:Url"] = url;
        Assert.Equal(url, app.Get<IOptions<AlertsOptions>>().Value.Sources[0].Url);

        await using var twice = new AlertsApp();
        twice.Settings["Alerts:Sources:0:Kind"] = "ntv-liveticker";
        twice.Settings["Alerts:Sources:0:Url"] = url;
        twice.Settings["Alerts:Sources:1:Id"] = "other";
        twice.Settings["Alerts:Sources:1:Kind"] = "ntv-liveticker";
        twice.Settings["Alerts:Sources:1:Url"] = url.Contains("-id", StringComparison.Ordinal)
            ? "https://www.n-tv.de/politik/Alter-Titel-article23143824.html"
            : "https://www.n-tv.de/politik/Neuer-Titel-id23143824.html";

        var error = Record.Exception(() => twice.Get<IOptions<AlertsOptions>>().Value);
        Assert.Contains("is article 23143824, which source 'test' already polls", error!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnNtvAddressWithoutAnArticleIdIsRefusedNamingBothForms()
    {
        await using var app = new AlertsApp();
        app.Settings["Alerts:Sources:0:Kind"] = "ntv-liveticker";
        app.Settings["Alerts:Sources:0:Url"] = "https://www.n-tv.de/politik/";

        var error = Record.Exception(() => app.Get<IOptions<AlertsOptions>>().Value);

        Assert.Contains("ending in -articleNNNN.html or -idNNNN.html", error!.ToString(), StringComparison.Ordinal);
    }

    private static Task<PollOutcome> PollAsync(AlertsApp app) => PollerTests.PollAsync(app);

    private static DateTimeOffset Minute(DateTimeOffset local) =>
        new DateTimeOffset(local.Year, local.Month, local.Day, local.Hour, local.Minute, 0, local.Offset).ToUniversalTime();

    /// <summary>The 2025 template's text as the page shows it: title with the top entry, date line, entries.</summary>
    private static string Page(params (DateTimeOffset At, string Headline)[] entries)
    {
        var first = entries[^1].At;
        var html = new System.Text.StringBuilder("<!DOCTYPE html><html><head><title>Ukraine-Krieg im Liveticker</title></head><body><main><article class=\"article-detail_article__Xy12z\">");
        html.Append(CultureInfo.InvariantCulture, $"<h1>Ukraine-Krieg im Liveticker +++ {entries[0].At:HH:mm} {entries[0].Headline} +++</h1>");
        html.Append(CultureInfo.InvariantCulture, $"<p><time>{first:dd.MM.yyyy, HH:mm} Uhr</time></p>");
        foreach (var (at, headline) in entries)
        {
            html.Append(CultureInfo.InvariantCulture, $"<h2>+++ {at:HH:mm} {headline} +++</h2><p>Bericht: {headline}.</p>");
        }

        return html.Append("</article></main></body></html>").ToString();
    }
}
