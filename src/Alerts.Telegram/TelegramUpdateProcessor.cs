using System.Globalization;
using Alerts.Core.Subscriptions;
using Microsoft.Extensions.Logging;
using Telegram.Bot.Types;

namespace Alerts.Telegram;

/// <summary>
/// The one door for updates from polling and webhook: handles them one at a time, in order, each at most once.
/// The id of an update is stored in <see cref="IKeyValueStore"/> before it is handled, so a crash in the middle
/// loses that one update instead of running a command twice after a restart (a user simply repeats a lost command;
/// a repeated /subscribe would have saved a duplicate).
/// </summary>
internal sealed partial class TelegramUpdateProcessor(TelegramUpdateHandler handler, IKeyValueStore keyValues, ILogger<TelegramUpdateProcessor> logger)
{
    public const string LastUpdateKey = "telegram:last-update-id";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private long? _lastHandled;

    /// <summary>The id of the last update taken for handling, or null if there never was one.</summary>
    public async Task<long?> GetLastHandledAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await LoadAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Handles the update unless an update with this or a later id was handled already; false when skipped.</summary>
    public async Task<bool> ProcessAsync(Update update, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var last = await LoadAsync(cancellationToken).ConfigureAwait(false);
            if (last is { } l && update.Id <= l)
            {
                LogSkipped(logger, update.Id, l);
                return false;
            }

            await keyValues.SetAsync(LastUpdateKey, update.Id.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
            _lastHandled = update.Id;
            await handler.HandleAsync(update, cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<long?> LoadAsync(CancellationToken cancellationToken)
    {
        if (_lastHandled is null
            && await keyValues.GetAsync(LastUpdateKey, cancellationToken).ConfigureAwait(false) is { } stored
            && long.TryParse(stored, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
        {
            _lastHandled = id;
        }

        return _lastHandled;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Telegram update {UpdateId} skipped: {LastHandled} was handled already")]
    private static partial void LogSkipped(ILogger logger, int updateId, long lastHandled);
}
