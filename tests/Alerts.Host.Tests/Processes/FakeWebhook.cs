using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;

namespace Alerts.Host.Tests.Processes;

/// <summary>A fake chat platform on 127.0.0.1 that accepts the webhook channel's POSTs and records them.</summary>
internal sealed class FakeWebhook : IAsyncDisposable
{
    private readonly WebApplication app;

    private FakeWebhook(WebApplication app) => this.app = app;

    public sealed record Received(long Id, string Subscriber, string Instance, DateTimeOffset At);

    public ConcurrentQueue<Received> Messages { get; } = new();

    /// <summary>Time each request takes, to stretch a burst so that a kill lands in the middle of it.</summary>
    public TimeSpan Delay { get; set; }

    public string Url { get; private set; } = "";

    public static async Task<FakeWebhook> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var hook = new FakeWebhook(app);
        app.MapPost("/hook", hook.HandleAsync);
        await app.StartAsync();
        hook.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/hook";
        return hook;
    }

    public int Distinct => Messages.Select(m => m.Id).Distinct().Count();

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        var at = DateTimeOffset.UtcNow;
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay);
        }

        Messages.Enqueue(new Received(
            body.RootElement.GetProperty("id").GetInt64(),
            body.RootElement.GetProperty("subscriber").GetString()!,
            context.Request.Headers["X-Alerts-Instance"].ToString(),
            at));
    }
}
