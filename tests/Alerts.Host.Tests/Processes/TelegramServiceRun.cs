using Alerts.Host.Tests.Fakes;
using Alerts.Telegram.Tests;

namespace Alerts.Host.Tests.Processes;

/// <summary>
/// The whole service as a real process, for the end-to-end tests: Telegram through the telegram-test-api emulator
/// (answering each call after the given round trip), one feed source served by a <see cref="FakeFeed"/> and polled
/// every 2 s, SQLite in a temporary folder that is removed afterwards. Skips when the emulator cannot run; a failing
/// scenario carries the service's log.
/// </summary>
internal static class TelegramServiceRun
{
    /// <param name="token">The bot token the emulator knows the bot by.</param>
    /// <param name="source">The source's own settings (<c>Id</c>, <c>Name</c>, <c>TimeZone</c> …) under <c>Alerts:Sources:0</c>.</param>
    /// <param name="prepareTicker">What the ticker holds (and how slowly it answers) before the service starts.</param>
    /// <param name="scenario">The test itself.</param>
    /// <param name="roundTrip">How late the emulator answers each Bot API call.</param>
    public static async Task RunAsync(
        string token,
        IReadOnlyDictionary<string, string> source,
        Action<FakeFeed> prepareTicker,
        Func<TelegramEmulator, FakeFeed, HostProcess, Task> scenario,
        TimeSpan roundTrip = default)
    {
        var (emulator, missing) = await TelegramEmulator.TryStartAsync(roundTrip);
        Skip.If(emulator is null, missing);
        await using var _ = emulator;
        await using var ticker = await FakeFeed.StartAsync();
        prepareTicker(ticker);
        var directory = Directory.CreateTempSubdirectory("alerts-e2e-");
        try
        {
            var settings = new Dictionary<string, string>
            {
                ["Alerts:Telegram:BotToken"] = token,
                ["Alerts:Telegram:ApiBaseUrl"] = emulator!.ApiUrl,
                ["Alerts:Telegram:Mode"] = "Polling",
                ["Alerts:Telegram:PollingTimeoutSeconds"] = "0",
                ["Alerts:Sources:0:Kind"] = "feed",
                ["Alerts:Sources:0:Url"] = ticker.Url,
                ["Alerts:Sources:0:PollInterval"] = "00:00:02",
                ["Alerts:Storage:Provider"] = "Sqlite",
                ["Alerts:Storage:ConnectionString"] = $"Data Source={Path.Combine(directory.FullName, "alerts.db")}",
            };
            foreach (var (key, value) in source)
            {
                settings["Alerts:Sources:0:" + key] = value;
            }

            await using var host = HostProcess.Start(directory.FullName, settings);
            try
            {
                await scenario(emulator, ticker, host);
            }
            catch (Exception e) when (e is not SkipException)
            {
                throw new Xunit.Sdk.XunitException($"{e.GetType().Name}: {e.Message}\n--- Alerts.Host output ---\n{host.Log}");
            }
        }
        finally
        {
            try
            {
                directory.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A file still held by the process that just ended: the OS cleans its temporary folder.
            }
        }
    }
}
