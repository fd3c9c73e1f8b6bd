using System.Security.Cryptography;
using System.Text.Json;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tickers;
using Alerts.Discord.Rest;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Discord.Commands;

/// <summary>
/// Registers the slash commands at start-up with one bulk overwrite (idempotent at Discord: the set replaces whatever
/// was there). To avoid a needless call on every restart, and with several instances, the SHA-256 of (application,
/// scope, commands JSON) is kept in <see cref="IKeyValueStore"/> under <c>discord:commands:{scope}</c>; the call is made
/// only when it differs. Runs in the background so a Discord outage does not delay start-up; retries with backoff.
/// </summary>
public sealed partial class DiscordCommandRegistrar(
    IServiceScopeFactory scopes,
    IOptions<DiscordOptions> options,
    DiscordSourceList sources,
    TimeProvider time,
    ILogger<DiscordCommandRegistrar> logger) : BackgroundService
{
    private static readonly TimeSpan[] Backoff = [TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10)];

    /// <summary>Completes when the first registration attempt sequence has ended (for tests and health).</summary>
    public Task<bool> Completion => completion.Task;

    private readonly TaskCompletionSource<bool> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.IsEnabled)
        {
            completion.TrySetResult(false);
            return;
        }

        try
        {
            for (var attempt = 0; ; attempt++)
            {
                DiscordFailure? result;
                try
                {
                    result = await RegisterAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A store that is not ready yet must not stop the host (a BackgroundService exception would).
                    LogFailed("store", ex.Message);
                    result = new DiscordFailure(DiscordFailureKind.Transient, null, null, ex.Message);
                }

                if (result is null)
                {
                    completion.TrySetResult(true);
                    return;
                }

                if (attempt >= Backoff.Length || result.Kind == DiscordFailureKind.Rejected)
                {
                    LogGaveUp(result.ToString());
                    completion.TrySetResult(false);
                    return;
                }

                var wait = result.Kind == DiscordFailureKind.RateLimited && result.RetryAfter > TimeSpan.Zero ? result.RetryAfter : Backoff[attempt];
                await Task.Delay(wait, time, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            completion.TrySetResult(false);
        }
    }

    /// <summary>Registers when needed. Null when the commands are in place; otherwise why not.</summary>
    public async Task<DiscordFailure?> RegisterAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var commands = DiscordCommandCatalog.Build(sources.Sources);
        var scope = string.IsNullOrWhiteSpace(o.GuildId) ? "global" : "guild:" + o.GuildId;
        var json = JsonSerializer.SerializeToUtf8Bytes(commands, DiscordJsonContext.Default.IReadOnlyListApplicationCommand);
        var hash = Convert.ToHexString(SHA256.HashData([.. System.Text.Encoding.UTF8.GetBytes(o.ApplicationId + "\n" + scope + "\n"), .. json]));
        var key = "discord:commands:" + scope;

        using var serviceScope = scopes.CreateScope();
        var store = serviceScope.ServiceProvider.GetRequiredService<IKeyValueStore>();
        if (string.Equals(await store.GetAsync(key, cancellationToken).ConfigureAwait(false), hash, StringComparison.Ordinal))
        {
            LogUnchanged(commands.Count, scope);
            return null;
        }

        var client = serviceScope.ServiceProvider.GetRequiredService<DiscordRestClient>();
        var result = await client.BulkOverwriteCommandsAsync(commands, o.GuildId, cancellationToken).ConfigureAwait(false);
        if (!result.IsSuccess)
        {
            LogFailed(scope, result.Failure!.ToString());
            return result.Failure;
        }

        await store.SetAsync(key, hash, cancellationToken).ConfigureAwait(false);
        LogRegistered(commands.Count, scope);
        return null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Discord: {Count} slash commands ({Scope}) unchanged, not re-registered")]
    private partial void LogUnchanged(int count, string scope);

    [LoggerMessage(Level = LogLevel.Information, Message = "Discord: registered {Count} slash commands ({Scope})")]
    private partial void LogRegistered(int count, string scope);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord: registering slash commands ({Scope}) failed: {Reason}")]
    private partial void LogFailed(string scope, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Discord: gave up registering slash commands: {Reason}. Check Alerts:Discord:ApplicationId and BotToken.")]
    private partial void LogGaveUp(string reason);
}

/// <summary>The configured sources (<c>Alerts:Sources</c>), for the <c>source</c> choice list.</summary>
public sealed class DiscordSourceList(IReadOnlyList<SourceDefinition> sources)
{
    public IReadOnlyList<SourceDefinition> Sources { get; } = sources;
}
