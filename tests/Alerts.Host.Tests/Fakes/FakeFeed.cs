using System.Globalization;
using System.Security;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Alerts.Host.Tests.Fakes;

/// <summary>
/// An RSS 2.0 ticker on 127.0.0.1 for the end-to-end tests: <see cref="Add"/> puts a new entry on top while the
/// service polls it, and <see cref="Polled"/> tells when the service has fetched it often enough.
/// </summary>
internal sealed class FakeFeed : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly List<(string Guid, string Title, string Body, DateTimeOffset Published)> items = [];
    private readonly List<(int Times, TaskCompletionSource Signal)> waiters = [];
    private int requests;

    private FakeFeed(WebApplication app) => this.app = app;

    public string Url { get; private set; } = "";

    public int Requests => Volatile.Read(ref requests);

    /// <summary>How long each answer takes (a real ticker's response time); none by default.</summary>
    public TimeSpan Delay { get; set; }

    public static async Task<FakeFeed> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var feed = new FakeFeed(app);
        app.MapGet("/feed.xml", feed.ServeAsync);
        await app.StartAsync();
        feed.Url = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First() + "/feed.xml";
        return feed;
    }

    /// <summary>A new entry on top; its guid is <c>e2e-N</c> in the order of adding.</summary>
    public void Add(string title, string body, DateTimeOffset? published = null)
    {
        lock (items)
        {
            var guid = "e2e-" + (items.Count + 1).ToString(CultureInfo.InvariantCulture);
            items.Insert(0, (guid, title, body, published ?? DateTimeOffset.UtcNow));
        }
    }

    /// <summary>The entry <c>e2e-<paramref name="number"/></c> is corrected in place: same guid, time and position, new text.</summary>
    public void Update(int number, string title, string body)
    {
        lock (items)
        {
            var guid = "e2e-" + number.ToString(CultureInfo.InvariantCulture);
            var index = items.FindIndex(i => i.Guid == guid);
            items[index] = (guid, title, body, items[index].Published);
        }
    }

    /// <summary>Completes once the feed has been fetched <paramref name="times"/> times in all.</summary>
    public Task Polled(int times)
    {
        lock (waiters)
        {
            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (Requests >= times)
            {
                signal.SetResult();
            }
            else
            {
                waiters.Add((times, signal));
            }

            return signal.Task;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task ServeAsync(HttpContext http)
    {
        var xml = new StringBuilder("""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>E2E</title><link>http://127.0.0.1/</link><description>E2E</description>""");
        lock (items)
        {
            foreach (var (guid, title, body, published) in items)
            {
                xml.Append(CultureInfo.InvariantCulture,
                    $"<item><guid isPermaLink=\"false\">{guid}</guid><title>{SecurityElement.Escape(title)}</title><description>{SecurityElement.Escape(body)}</description><link>http://127.0.0.1/entry/{guid}</link><pubDate>{published.ToString("r", CultureInfo.InvariantCulture)}</pubDate></item>");
            }
        }

        xml.Append("</channel></rss>");
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, http.RequestAborted);
        }

        http.Response.ContentType = "application/rss+xml; charset=utf-8";
        await http.Response.WriteAsync(xml.ToString());

        var count = Interlocked.Increment(ref requests);
        lock (waiters)
        {
            foreach (var waiter in waiters.Where(w => count >= w.Times).ToList())
            {
                waiter.Signal.TrySetResult();
                waiters.Remove(waiter);
            }
        }
    }
}
