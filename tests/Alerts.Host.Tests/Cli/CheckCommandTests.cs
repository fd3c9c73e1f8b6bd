using System.Text.Json;
using Alerts.Core.Diffing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Alerts.Host.Tests.Cli;

public sealed class CheckCommandTests : IDisposable
{
    private const string TickerText = """
        Hafen im Liveticker+++ 18:20 Containerschiff läuft auf Grund +++

        12.06.2026, 06:00 Uhr

        Vor der Elbmündung sitzt ein Frachter fest. Schlepper sind unterwegs.

        +++ 00:15 Lotsen warnen vor Nebel +++

        Die Sicht liegt unter hundert Metern.

        +++ 23:40 Fähre fällt aus +++

        Die Abendfähre bleibt im Hafen.

        Alle früheren Entwicklungen können Sie hier nachverfolgen.
        """;

    private const string Rss = """
        <?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://x.example/</link><description>d</description>
        <item><title>Eine Meldung</title><guid>m-1</guid><pubDate>Fri, 12 Jun 2026 08:00:00 +0200</pubDate><description>Text.</description></item>
        </channel></rss>
        """;

    private readonly string dir = Directory.CreateTempSubdirectory("alerts-check-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public async Task PrintsOneJsonObjectPerEntry()
    {
        var file = Write("hafen.txt", TickerText);

        var (code, stdout, stderr) = await Run("check", file, "--json");

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        var root = first.RootElement;
        Assert.Equal("hafen", root.GetProperty("source").GetString());
        Assert.Equal(ItemIdentity.EntryKey(new TimeOnly(18, 20), "Containerschiff läuft auf Grund"), root.GetProperty("key").GetString());
        Assert.Equal("2026-06-12T16:20:00Z", root.GetProperty("published").GetString());
        Assert.Equal("Containerschiff läuft auf Grund", root.GetProperty("headline").GetString());
        Assert.Equal("Vor der Elbmündung sitzt ein Frachter fest. Schlepper sind unterwegs.", root.GetProperty("body").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("url").ValueKind);
        Assert.False(root.TryGetProperty("matched", out _));

        using var last = JsonDocument.Parse(lines[2]);
        Assert.Equal("2026-06-11T21:40:00Z", last.RootElement.GetProperty("published").GetString());
    }

    [Fact]
    public async Task NamesAnNtvSourceByTheArticleIdOfTheFileName()
    {
        var file = Write("Hafen-im-Liveticker-article31415926.txt", TickerText);

        var (code, stdout, _) = await Run("check", file, "--json", "--source-kind", "ntv-liveticker");

        Assert.Equal(0, code);
        Assert.All(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), line =>
        {
            using var doc = JsonDocument.Parse(line);
            Assert.Equal("ntv-31415926", doc.RootElement.GetProperty("source").GetString());
        });
    }

    [Fact]
    public async Task NamesASavedHtmlPageByItsCanonicalArticleId()
    {
        var html = "<html><head><link rel=\"canonical\" href=\"https://www.n-tv.de/x/Slug-article2718.html\"></head><body>"
            + "<h1>Hafen<span>+++ 18:20 Containerschiff läuft auf Grund +++</span></h1><p>12.06.2026, 06:00 Uhr</p><p>Text.</p></body></html>";
        var file = Write("gespeichert.html", html);

        var (code, stdout, _) = await Run("check", file, "--json");

        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout.Trim());
        Assert.Equal("ntv-2718", doc.RootElement.GetProperty("source").GetString());
        Assert.Equal("https://www.n-tv.de/x/Slug-article2718.html", doc.RootElement.GetProperty("url").GetString());
    }

    [Fact]
    public async Task DetectsAFeedAndNamesItByTheFileName()
    {
        var file = Write("meldungen.xml", Rss);

        var (code, stdout, _) = await Run("check", file, "--json");

        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout.Trim());
        Assert.Equal("meldungen", doc.RootElement.GetProperty("source").GetString());
        Assert.Equal("m-1", doc.RootElement.GetProperty("key").GetString());
        Assert.Equal("2026-06-12T06:00:00Z", doc.RootElement.GetProperty("published").GetString());
    }

    [Fact]
    public async Task PrintsAReadableListingWithoutJson()
    {
        var file = Write("hafen.txt", TickerText);

        var (code, stdout, _) = await Run("check", file);

        Assert.Equal(0, code);
        Assert.Contains("2026-06-12 16:20Z (12.06. 18:20 local)  Containerschiff läuft auf Grund", stdout, StringComparison.Ordinal);
        Assert.Contains("    key: 23:40~", stdout, StringComparison.Ordinal);
        Assert.Contains("3 item(s) from source 'hafen' (ntv-liveticker)", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FetchesAnHttpUrlOnceAndKeysTheSourceOnTheArticleId()
    {
        var requests = 0;
        await using var server = await StartServer(async context =>
        {
            Interlocked.Increment(ref requests);
            if (context.Request.Path.Value!.EndsWith("-article23143824.html", StringComparison.Ordinal))
            {
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync(TickerText);
            }
            else
            {
                context.Response.StatusCode = 500;
            }
        });
        var url = server.Urls.First() + "/politik/Irgendein-Slug-article23143824.html";

        var (code, stdout, stderr) = await Run("check", url, "--json");

        Assert.True(code == 0, stderr);
        Assert.Equal(1, requests);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        using var doc = JsonDocument.Parse(lines[0]);
        Assert.Equal("ntv-23143824", doc.RootElement.GetProperty("source").GetString());
        Assert.Equal(url, doc.RootElement.GetProperty("url").GetString());

        var (failCode, _, failErr) = await Run("check", server.Urls.First() + "/kaputt");
        Assert.Equal(2, failCode);
        Assert.Contains("answered 500", failErr, StringComparison.Ordinal);
        AssertNoStackTrace(failErr);
    }

    [Theory]
    [InlineData("missing", "file not found")]
    [InlineData("kind", "unknown source kind 'tweets'")]
    [InlineData("unparsable", "cannot parse as ntv-liveticker: not an ntv liveticker page")]
    [InlineData("undetectable", "cannot detect the source kind")]
    [InlineData("query", "invalid query '\"Nebel': unclosed quote at 0")]
    [InlineData("noargs", "missing file or URL")]
    [InlineData("option", "unknown option '--verbose'")]
    public async Task ErrorsGoToStderrWithANonZeroExitAndNoStackTrace(string scenario, string expected)
    {
        var text = Write("text.txt", "Nur Text, kein Ticker.");
        var ticker = Write("hafen.txt", TickerText);
        string[] args = scenario switch
        {
            "missing" => ["check", Path.Combine(dir, "gibt-es-nicht.html")],
            "kind" => ["check", ticker, "--source-kind", "tweets"],
            "unparsable" => ["check", text, "--source-kind", "ntv-liveticker"],
            "undetectable" => ["check", text],
            "query" => ["check", ticker, "--query", "\"Nebel"],
            "noargs" => ["check"],
            _ => ["check", ticker, "--verbose"],
        };

        var (code, stdout, stderr) = await Run(args);

        Assert.NotEqual(0, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("error: ", stderr, StringComparison.Ordinal);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        AssertNoStackTrace(stderr);
    }

    private static void AssertNoStackTrace(string stderr) =>
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);

    private string Write(string name, string content)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static Task<(int Code, string Stdout, string Stderr)> Run(params string[] args) => CliRunner.Run(args);

    private static async Task<WebApplication> StartServer(RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(handler);
        await app.StartAsync();
        return app;
    }
}
