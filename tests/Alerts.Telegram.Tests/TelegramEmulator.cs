using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Alerts.Telegram.Tests;

/// <summary>A message the bot sent, as the emulator recorded it.</summary>
public sealed record EmulatedBotMessage(
    [property: JsonPropertyName("messageId")] long MessageId,
    [property: JsonPropertyName("chatId")] long ChatId,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("parseMode")] string? ParseMode,
    [property: JsonPropertyName("linkPreviewDisabled")] bool LinkPreviewDisabled,
    [property: JsonPropertyName("date")] long Date,
    [property: JsonPropertyName("disableNotification")] bool DisableNotification = false,
    [property: JsonPropertyName("replyToMessageId")] long? ReplyToMessageId = null,
    [property: JsonPropertyName("buttons")] IReadOnlyList<IReadOnlyList<EmulatedButton>>? Buttons = null,
    [property: JsonPropertyName("edits")] IReadOnlyList<string>? Edits = null)
{
    /// <summary>The button with this label (exactly), for pressing it.</summary>
    public EmulatedButton Button(string label) =>
        (Buttons ?? []).SelectMany(r => r).FirstOrDefault(b => b.Text == label)
        ?? throw new InvalidOperationException($"no button '{label}' under message {MessageId}: {string.Join(" | ", (Buttons ?? []).SelectMany(r => r).Select(b => b.Text))}");
}

/// <summary>An inline keyboard button as the emulator stored it.</summary>
public sealed record EmulatedButton(
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("data")] string? Data);

/// <summary>One answerCallbackQuery the bot made.</summary>
public sealed record EmulatedCallbackAnswer(
    [property: JsonPropertyName("callbackQueryId")] string CallbackQueryId,
    [property: JsonPropertyName("text")] string? Text,
    [property: JsonPropertyName("showAlert")] bool ShowAlert);

/// <summary>One setMyCommands the bot made.</summary>
public sealed record EmulatedMenu(
    [property: JsonPropertyName("scope")] string Scope,
    [property: JsonPropertyName("languageCode")] string? LanguageCode,
    [property: JsonPropertyName("commands")] IReadOnlyList<EmulatedCommand> Commands);

public sealed record EmulatedCommand(
    [property: JsonPropertyName("command")] string Command,
    [property: JsonPropertyName("description")] string Description);

/// <summary>
/// The npm <c>telegram-test-api</c> Bot API emulator, started through <c>tests/tools/telegram-emulator.mjs</c>.
/// When <c>node</c> or <c>tests/node_modules</c> is missing the tests using it are skipped, except with
/// <c>CI=true</c>, where that is a failure.
/// </summary>
public sealed class TelegramEmulator : IAsyncDisposable
{
    private readonly Process process;
    private readonly HttpClient control;

    private TelegramEmulator(Process process, string apiUrl, string controlUrl)
    {
        this.process = process;
        ApiUrl = apiUrl;
        control = new HttpClient { BaseAddress = new Uri(controlUrl), Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>Base URL of the emulated Bot API (for <c>Alerts:Telegram:ApiBaseUrl</c>).</summary>
    public string ApiUrl { get; }

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Starts the emulator, or returns null with the reason when it cannot run here (never under CI).</summary>
    /// <param name="roundTrip">When set, every Bot API call is answered this late, as Telegram's real round trip.</param>
    public static async Task<(TelegramEmulator? Emulator, string? Missing)> TryStartAsync(TimeSpan roundTrip = default)
    {
        var script = FindScript();
        var testsDir = script is null ? null : Path.GetDirectoryName(Path.GetDirectoryName(script))!;
        string? missing = null;
        if (script is null)
        {
            missing = "tests/tools/telegram-emulator.mjs not found";
        }
        else if (!Directory.Exists(Path.Combine(testsDir!, "node_modules", "telegram-test-api")))
        {
            missing = "tests/node_modules is missing: run `cd tests && npm ci`";
        }
        else if (!NodeAvailable())
        {
            missing = "node is not on PATH";
        }

        if (missing is not null)
        {
            if (IsCi)
            {
                throw new InvalidOperationException($"The Telegram emulator is required under CI=true: {missing}");
            }

            return (null, missing);
        }

        string[] arguments = roundTrip > TimeSpan.Zero ? [script!, "--delay-ms", ((int)roundTrip.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture)] : [script!];
        var start = new ProcessStartInfo("node", arguments)
        {
            WorkingDirectory = testsDir!,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var stderr = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
            {
                stderr.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();

        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20)).ConfigureAwait(false);
        if (line is null)
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            lock (stderr)
            {
                throw new InvalidOperationException($"The Telegram emulator exited: {stderr}");
            }
        }

        using var ready = JsonDocument.Parse(line);
        return (new TelegramEmulator(process, ready.RootElement.GetProperty("apiUrl").GetString()!, ready.RootElement.GetProperty("controlUrl").GetString()!), null);
    }

    /// <summary>A simulated user writes <paramref name="text"/> to the bot (a command when it starts with '/').</summary>
    public async Task SendAsync(string token, long chatId, string text, long? userId = null, string type = "private", string? title = null, string? languageCode = null)
    {
        using var response = await control.PostAsJsonAsync("/send", new { token, chatId, userId = userId ?? chatId, text, type, title, languageCode }).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>A simulated user presses <paramref name="button"/> under the bot's message <paramref name="messageId"/>.</summary>
    public async Task PressAsync(string token, long chatId, long messageId, EmulatedButton button, long? userId = null, string type = "private", string? languageCode = null)
    {
        using var response = await control.PostAsJsonAsync("/callback", new { token, chatId, userId = userId ?? chatId, messageId, data = button.Data, type, languageCode }).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    public async Task<IReadOnlyList<EmulatedCallbackAnswer>> CallbackAnswersAsync(string token) =>
        await control.GetFromJsonAsync<List<EmulatedCallbackAnswer>>($"/callback-answers?token={Uri.EscapeDataString(token)}").ConfigureAwait(false) ?? [];

    public async Task<IReadOnlyList<EmulatedMenu>> MenusAsync(string token) =>
        await control.GetFromJsonAsync<List<EmulatedMenu>>($"/commands?token={Uri.EscapeDataString(token)}").ConfigureAwait(false) ?? [];

    /// <summary>Polls the chat until <paramref name="done"/> holds for the bot's messages, and returns them.</summary>
    public async Task<IReadOnlyList<EmulatedBotMessage>> WaitUntilAsync(string token, long chatId, Func<IReadOnlyList<EmulatedBotMessage>, bool> done, TimeSpan timeout, string what)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var messages = await BotMessagesAsync(token, chatId).ConfigureAwait(false);
            if (done(messages))
            {
                return messages;
            }

            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"{what} in chat {chatId} within {timeout}; bot messages: {string.Join(" | ", messages.Select(m => m.Text))}");
            }

            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until the bot has answered at least <paramref name="count"/> button presses.</summary>
    public async Task<IReadOnlyList<EmulatedCallbackAnswer>> WaitForAnswersAsync(string token, int count, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var answers = await CallbackAnswersAsync(token).ConfigureAwait(false);
            if (answers.Count >= count || DateTime.UtcNow > until)
            {
                return answers.Count >= count ? answers : throw new TimeoutException($"expected {count} callback answers, got {answers.Count}");
            }

            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyList<EmulatedBotMessage>> BotMessagesAsync(string token, long chatId) =>
        await control.GetFromJsonAsync<List<EmulatedBotMessage>>($"/bot-messages?token={Uri.EscapeDataString(token)}&chatId={chatId}").ConfigureAwait(false) ?? [];

    /// <summary>Waits until the bot has sent at least <paramref name="count"/> messages to the chat, and returns them all.</summary>
    public async Task<IReadOnlyList<EmulatedBotMessage>> WaitForBotMessagesAsync(string token, long chatId, int count, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var messages = await BotMessagesAsync(token, chatId).ConfigureAwait(false);
            if (messages.Count >= count)
            {
                return messages;
            }

            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"expected {count} bot messages in chat {chatId} within {timeout}, got {messages.Count}: {string.Join(" | ", messages.Select(m => m.Text))}");
            }

            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        control.Dispose();
        try
        {
            process.StandardInput.Close(); // the script exits when stdin closes
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException or IOException)
        {
            process.Kill(entireProcessTree: true);
        }

        process.Dispose();
    }

    private static string? FindScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "tools", "telegram-emulator.mjs");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static bool NodeAvailable()
    {
        try
        {
            using var node = Process.Start(new ProcessStartInfo("node", ["--version"]) { RedirectStandardOutput = true, UseShellExecute = false });
            if (node is null)
            {
                return false;
            }

            node.WaitForExit(10_000);
            return node.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
