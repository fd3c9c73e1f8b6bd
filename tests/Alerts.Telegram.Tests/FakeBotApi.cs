using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Alerts.Telegram.Tests;

/// <summary>One call the bot made: the method name and its JSON parameters.</summary>
public sealed record BotApiCall(string Token, string Method, JsonObject Body)
{
    public string? Text => Body["text"]?.GetValue<string>();

    public long ChatId => Body["chat_id"] is { } id ? long.Parse(id.ToString(), System.Globalization.CultureInfo.InvariantCulture) : 0;
}

/// <summary>What the fake answers: an HTTP status and a JSON body, optionally after a delay.</summary>
public sealed record BotApiAnswer(int Status, string Json, TimeSpan Delay = default)
{
    public static BotApiAnswer Ok(string resultJson) => new(200, $$"""{"ok":true,"result":{{resultJson}}}""");

    public static BotApiAnswer Error(int code, string description, string? parameters = null) =>
        new(code, $$"""{"ok":false,"error_code":{{code}},"description":"{{description}}"{{(parameters is null ? "" : $",\"parameters\":{parameters}")}}}""");
}

/// <summary>
/// A fake Telegram Bot API on 127.0.0.1 (Kestrel), serving <c>/bot{token}/{method}</c>. It records every call and
/// answers from per-method rules; without a rule, sendMessage/getMe/getChatMember/getUpdates answer like Telegram would.
/// </summary>
public sealed class FakeBotApi : IAsyncDisposable
{
    public const string Token = "123456:test-token_ABC";

    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, Func<BotApiCall, BotApiAnswer>> rules = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<BotApiCall> calls = new();
    private int messageId;

    private FakeBotApi(WebApplication app) => this.app = app;

    public string BaseUrl { get; private set; } = "";

    public IReadOnlyList<BotApiCall> Calls => [.. calls];

    public IReadOnlyList<BotApiCall> CallsTo(string method) => [.. calls.Where(c => string.Equals(c.Method, method, StringComparison.OrdinalIgnoreCase))];

    /// <summary>Signalled on every call, for tests that wait for the bot to do something.</summary>
    public event Action<BotApiCall>? Called;

    /// <summary>Status of chat members for getChatMember: (chat, user) → "administrator", "member", …</summary>
    public ConcurrentDictionary<(long Chat, long User), string> Members { get; } = new();

    public static async Task<FakeBotApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeBotApi(app);
        app.Map("/bot{token}/{method}", fake.HandleAsync);
        await app.StartAsync();
        fake.BaseUrl = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return fake;
    }

    public void On(string method, Func<BotApiCall, BotApiAnswer> rule) => rules[method] = rule;

    public void On(string method, BotApiAnswer answer) => rules[method] = _ => answer;

    public async Task<BotApiCall> WaitForAsync(string method, Func<BotApiCall, bool>? where = null, TimeSpan? timeout = null)
    {
        var tcs = new TaskCompletionSource<BotApiCall>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handler(BotApiCall c)
        {
            if (string.Equals(c.Method, method, StringComparison.OrdinalIgnoreCase) && (where?.Invoke(c) ?? true))
            {
                tcs.TrySetResult(c);
            }
        }

        Called += Handler;
        try
        {
            var existing = CallsTo(method).FirstOrDefault(c => where?.Invoke(c) ?? true);
            if (existing is not null)
            {
                return existing;
            }

            return await tcs.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(10));
        }
        finally
        {
            Called -= Handler;
        }
    }

    private async Task HandleAsync(HttpContext http, string token, string method)
    {
        JsonObject body = [];
        if (http.Request.ContentLength is not 0)
        {
            using var reader = new StreamReader(http.Request.Body);
            var raw = await reader.ReadToEndAsync(http.RequestAborted);
            if (raw.Length > 0 && http.Request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true)
            {
                body = JsonNode.Parse(raw) as JsonObject ?? [];
            }
        }

        var call = new BotApiCall(token, method, body);
        calls.Enqueue(call);
        Called?.Invoke(call);

        var answer = token != Token
            ? BotApiAnswer.Error(401, "Unauthorized")
            : rules.TryGetValue(method, out var rule) ? rule(call) : Default(call);
        if (answer.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(answer.Delay, http.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        http.Response.StatusCode = answer.Status;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(answer.Json, http.RequestAborted);
    }

    private BotApiAnswer Default(BotApiCall call)
    {
        switch (call.Method)
        {
            case "getMe":
                return BotApiAnswer.Ok("""{"id":123456,"is_bot":true,"first_name":"Alerts","username":"AlertsTestBot"}""");
            case "sendMessage":
                var text = call.Text ?? "";
                if (VisibleLength(text) > 4096)
                {
                    return BotApiAnswer.Error(400, "Bad Request: message is too long");
                }

                var id = Interlocked.Increment(ref messageId);
                return BotApiAnswer.Ok($$"""{"message_id":{{id}},"date":1764600000,"chat":{"id":{{call.ChatId}},"type":"private"},"text":{{JsonSerializer.Serialize(text)}}}""");
            case "getChatMember":
                var chat = call.ChatId;
                var user = call.Body["user_id"]!.GetValue<long>();
                var status = Members.TryGetValue((chat, user), out var s) ? s : "member";
                var extra = status == "administrator" ? ",\"can_be_edited\":false,\"is_anonymous\":false,\"can_manage_chat\":true,\"can_delete_messages\":true,\"can_manage_video_chats\":true,\"can_restrict_members\":true,\"can_promote_members\":false,\"can_change_info\":true,\"can_invite_users\":true" : "";
                return BotApiAnswer.Ok($$"""{"status":"{{status}}","user":{"id":{{user}},"is_bot":false,"first_name":"U"}{{extra}}}""");
            case "getUpdates":
                return BotApiAnswer.Ok("[]");
            default:
                return BotApiAnswer.Ok("true");
        }
    }

    /// <summary>Length as Telegram counts it: UTF-16 code units after removing tags and decoding entities.</summary>
    public static int VisibleLength(string html) =>
        System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Replace(html, "<[^>]*>", "")).Length;

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
