using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;

namespace Alerts.Host.Tests.Fakes;

/// <summary>A real Kestrel ticker server on 127.0.0.1 whose next answer the test decides.</summary>
internal sealed class FakeTicker : IAsyncDisposable
{
    private readonly WebApplication app;

    private FakeTicker(WebApplication app) => this.app = app;

    public delegate Task Responder(HttpContext context);

    /// <summary>How to answer; default 200 with <see cref="Page"/> and <see cref="ETag"/>, 304 when If-None-Match matches.</summary>
    public Responder? Next { get; set; }

    public string Page { get; set; } = LineTickerParser.Page();

    public string? ETag { get; set; }

    public ConcurrentQueue<(string? IfNoneMatch, int Status)> Requests { get; } = new();

    public string Url { get; private set; } = "";

    public static async Task<FakeTicker> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var ticker = new FakeTicker(app);
        app.Run(ticker.HandleAsync);
        await app.StartAsync();
        ticker.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/ticker";
        return ticker;
    }

    public static Responder Status(int status) => c =>
    {
        c.Response.StatusCode = status;
        return Task.CompletedTask;
    };

    public static Responder Hang(TimeSpan delay) => async c => await Task.Delay(delay, c.RequestAborted);

    /// <summary>Promises more bytes than it sends, then drops the connection.</summary>
    public static Responder Truncated(string page) => async c =>
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(page);
        c.Response.ContentLength = bytes.Length * 2;
        await c.Response.Body.WriteAsync(bytes);
        await c.Response.Body.FlushAsync();
        c.Abort();
    };

    public static Responder Garbage() => async c =>
    {
        c.Response.ContentType = "application/octet-stream";
        var bytes = new byte[4096];
        new Random(7).NextBytes(bytes);
        await c.Response.Body.WriteAsync(bytes);
    };

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        var ifNoneMatch = context.Request.Headers.IfNoneMatch.ToString();
        var responder = Next;
        if (responder is not null)
        {
            await responder(context);
            Requests.Enqueue((ifNoneMatch, context.Response.StatusCode));
            return;
        }

        if (ETag is not null && ifNoneMatch == ETag)
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            Requests.Enqueue((ifNoneMatch, 304));
            return;
        }

        if (ETag is not null)
        {
            context.Response.Headers.ETag = ETag;
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(Page);
        Requests.Enqueue((ifNoneMatch, 200));
    }
}
