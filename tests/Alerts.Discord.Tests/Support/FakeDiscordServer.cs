using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Alerts.Discord.Tests.Support;

public sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public JsonNode? Json => string.IsNullOrEmpty(Body) ? null : JsonNode.Parse(Body);

    /// <summary>The discord-api-spec schema for this route's request body.</summary>
    public string? Schema => (Method, Path) switch
    {
        ("PUT", var p) when p.EndsWith("/commands", StringComparison.Ordinal) => "ApplicationCommandUpdateRequestSchema[]",
        ("POST", "/api/v10/users/@me/channels") => "CreatePrivateChannelRequestSchema",
        ("POST", var p) when p.StartsWith("/api/v10/channels/", StringComparison.Ordinal) && p.EndsWith("/messages", StringComparison.Ordinal) => "MessageCreateRequestSchema",
        ("POST", var p) when p.StartsWith("/api/v10/interactions/", StringComparison.Ordinal) => "CreateMessageInteractionCallbackRequestSchema",
        ("POST", var p) when p.StartsWith("/api/v10/webhooks/", StringComparison.Ordinal) => "IncomingWebhookRequestPartialSchema",
        ("PATCH", var p) when p.EndsWith("/messages/@original", StringComparison.Ordinal) => "IncomingWebhookUpdateRequestPartialSchema",
        ("PATCH", var p) when p.StartsWith("/api/v10/channels/", StringComparison.Ordinal) && p.Contains("/messages/", StringComparison.Ordinal) => "MessageEditRequestPartialSchema",
        _ => null,
    };

    /// <summary>Bodies that are messages: each must carry allowed_mentions {"parse": []}.</summary>
    public bool IsMessageBody => Schema is "MessageCreateRequestSchema" or "MessageEditRequestPartialSchema" or "IncomingWebhookRequestPartialSchema" or "IncomingWebhookUpdateRequestPartialSchema";
}

public sealed record FakeResponse(int Status, string? Body = null, IReadOnlyDictionary<string, string>? Headers = null, TimeSpan Delay = default);

/// <summary>
/// A fake Discord HTTP API on 127.0.0.1: records every request (method, path, headers, body) and answers like Discord,
/// unless a scripted fault for the request is queued.
/// </summary>
public sealed class FakeDiscordServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<(Func<RecordedRequest, bool> Match, FakeResponse Response)> faults = new();
    private long nextId = 1_200_000_000_000_000_000;

    private FakeDiscordServer(WebApplication app)
    {
        this.app = app;
    }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public string BaseUrl { get; private set; } = "";

    /// <summary>Raised after a request is recorded.</summary>
    public event Action<RecordedRequest>? Received;

    public static async Task<FakeDiscordServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeDiscordServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = address.TrimEnd('/') + "/api/v10/";
        return server;
    }

    /// <summary>The next request matching <paramref name="match"/> gets <paramref name="response"/> (once per call).</summary>
    public void Fault(Func<RecordedRequest, bool> match, FakeResponse response) => faults.Enqueue((match, response));

    public IReadOnlyList<RecordedRequest> To(string method, string pathSuffix) =>
        Requests.Where(r => r.Method == method && r.Path.EndsWith(pathSuffix, StringComparison.Ordinal)).ToList();

    private async Task HandleAsync(HttpContext http)
    {
        using var reader = new StreamReader(http.Request.Body);
        var body = await reader.ReadToEndAsync();
        var headers = http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var request = new RecordedRequest(http.Request.Method, http.Request.Path.Value ?? "", headers, body);
        Requests.Enqueue(request);
        Received?.Invoke(request);

        var response = TakeFault(request) ?? Default(request);
        if (response.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(response.Delay, http.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        http.Response.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>())
        {
            http.Response.Headers[name] = value;
        }

        if (response.Body is not null)
        {
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(response.Body);
        }
    }

    private FakeResponse? TakeFault(RecordedRequest request)
    {
        // Faults are few; a linear scan that keeps the others in order is fine.
        var count = faults.Count;
        FakeResponse? found = null;
        for (var i = 0; i < count && faults.TryDequeue(out var fault); i++)
        {
            if (found is null && fault.Match(request))
            {
                found = fault.Response;
            }
            else
            {
                faults.Enqueue(fault);
            }
        }

        return found;
    }

    private FakeResponse Default(RecordedRequest request)
    {
        var id = Interlocked.Increment(ref nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return (request.Method, request.Schema) switch
        {
            ("PUT", _) => new FakeResponse(200, "[]"),
            (_, "CreatePrivateChannelRequestSchema") => new FakeResponse(200, JsonSerializer.Serialize(new { id = "7" + request.Json?["recipient_id"], type = 1 })),
            (_, "CreateMessageInteractionCallbackRequestSchema") => new FakeResponse(204),

            // An edited message keeps its id (the last path segment).
            (_, "MessageEditRequestPartialSchema") => new FakeResponse(200, JsonSerializer.Serialize(new { id = request.Path[(request.Path.LastIndexOf('/') + 1)..], content = "" })),
            _ => new FakeResponse(200, JsonSerializer.Serialize(new { id, content = "" })),
        };
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
