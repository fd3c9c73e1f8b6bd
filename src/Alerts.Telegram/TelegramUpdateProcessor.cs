using System.Globalization;
using Alerts.Core.Subscriptions;
using Microsoft.Extensions.Logging;
using Telegram.Bot.Types;

namespace Alerts.Telegram;

/// <summary>
/// The one door for updates from polling and webhook: each update is handled at most once, updates of one chat one
/// after another in the order of their ids, different chats at the same time (300 people who write at once are answered
/// at the pace the limits allow, not one round trip after another). The id of an update is stored in
/// <see cref="IKeyValueStore"/> before it is handled, so a crash loses the updates accepted and not yet handled instead
/// of running a command twice after a restart (a user simply repeats a lost command; a repeated /subscribe would have
/// saved a duplicate). Polling stops fetching while <see cref="MaxPending"/> updates wait.
/// Duplicates are recognised by id among the last <see cref="RecentWindow"/> updates taken, not by "not above the
/// largest id": Telegram documents that after a week without updates the next id is random, and an update below the
/// stored maximum is a new one then (issue 13).
/// </summary>
internal sealed partial class TelegramUpdateProcessor(TelegramUpdateHandler handler, IKeyValueStore keyValues, ILogger<TelegramUpdateProcessor> logger)
{
    public const string LastUpdateKey = "telegram:last-update-id";

    /// <summary>The ids of the last <see cref="RecentWindow"/> updates taken, oldest first, comma-separated.</summary>
    public const string RecentUpdatesKey = "telegram:recent-update-ids";

    /// <summary>
    /// How many taken update ids are remembered. Telegram redelivers an update only while its webhook call fails or
    /// getUpdates is not confirmed: minutes at most, far fewer updates than this for one bot.
    /// </summary>
    internal const int RecentWindow = 2_000;

    /// <summary>Updates accepted from polling and not yet handled; getUpdates waits while this many are pending.</summary>
    internal const int MaxPending = 1_000;

    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly SemaphoreSlim room = new(MaxPending, MaxPending);
    private readonly Lock lanesGate = new();
    private readonly Dictionary<long, Task> lanes = [];
    private readonly CancellationTokenSource stopping = new();
    private long? lastHandled;
    private RecentIds? recent;

    /// <summary>The id of the last update taken for handling, or null if there never was one.</summary>
    public async Task<long?> GetLastHandledAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await LoadAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Webhook: handles the update (after the earlier ones of its chat) unless an update with this or a later id was
    /// taken already; false when skipped. Returns when it has been handled.
    /// </summary>
    public async Task<bool> ProcessAsync(Update update, CancellationToken cancellationToken)
    {
        if (await TakeAsync([update], cancellationToken).ConfigureAwait(false) is not [var taken])
        {
            return false;
        }

        await Enqueue(taken, counted: false, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Polling: takes a batch (skipping what was taken already) and hands each update to its chat's lane; returns once
    /// they are accepted, not handled. Waits while <see cref="MaxPending"/> updates are pending.
    /// </summary>
    public async Task AcceptAsync(IReadOnlyList<Update> updates, CancellationToken cancellationToken)
    {
        foreach (var update in await TakeAsync(updates, cancellationToken).ConfigureAwait(false))
        {
            await room.WaitAsync(cancellationToken).ConfigureAwait(false);
            _ = Enqueue(update, counted: true, stopping.Token);
        }
    }

    /// <summary>Waits up to <paramref name="grace"/> for accepted updates to be handled, then cancels the rest.</summary>
    public async Task DrainAsync(TimeSpan grace)
    {
        Task[] pending;
        lock (lanesGate)
        {
            pending = [.. lanes.Values];
        }

        await Task.WhenAny(Task.WhenAll(pending), Task.Delay(grace)).ConfigureAwait(false);
        await stopping.CancelAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// The updates not taken yet, in id order; their ids are stored before any of them is handled, and the last of them
    /// becomes the polling offset.
    /// </summary>
    private async Task<List<Update>> TakeAsync(IReadOnlyList<Update> updates, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var recent = await LoadRecentAsync(cancellationToken).ConfigureAwait(false);
            var fresh = new List<Update>(updates.Count);
            foreach (var update in updates.OrderBy(u => u.Id))
            {
                if (!recent.Add(update.Id))
                {
                    LogSkipped(logger, update.Id);
                    continue;
                }

                fresh.Add(update);
            }

            if (fresh.Count > 0)
            {
                var newest = fresh[^1].Id;
                await keyValues.SetAsync(RecentUpdatesKey, recent.ToString(), cancellationToken).ConfigureAwait(false);
                await keyValues.SetAsync(LastUpdateKey, newest.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
                lastHandled = newest;
            }

            return fresh;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<RecentIds> LoadRecentAsync(CancellationToken cancellationToken)
    {
        if (recent is null)
        {
            var stored = await keyValues.GetAsync(RecentUpdatesKey, cancellationToken).ConfigureAwait(false);

            // Before the window was kept only the last id was: it is the one Telegram may redeliver.
            var last = await LoadAsync(cancellationToken).ConfigureAwait(false);
            recent = RecentIds.Parse(stored ?? last?.ToString(CultureInfo.InvariantCulture) ?? "", RecentWindow);
        }

        return recent;
    }

    /// <summary>Chains the update behind the ones of its chat taken before it.</summary>
    private Task Enqueue(Update update, bool counted, CancellationToken cancellationToken)
    {
        var chat = ChatOf(update);
        lock (lanesGate)
        {
            var previous = lanes.GetValueOrDefault(chat) ?? Task.CompletedTask;
            var task = HandleAfterAsync(previous, update, counted, cancellationToken);
            lanes[chat] = task;
            _ = task.ContinueWith(
                done =>
                {
                    lock (lanesGate)
                    {
                        if (lanes.TryGetValue(chat, out var current) && current == done)
                        {
                            lanes.Remove(chat);
                        }
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            return task;
        }
    }

    private async Task HandleAfterAsync(Task previous, Update update, bool counted, CancellationToken cancellationToken)
    {
        try
        {
            // The handler never throws for one bad update; a cancelled earlier update must not stop this one.
            await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await handler.HandleAsync(update, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            LogCancelled(logger, update.Id);
        }
        finally
        {
            if (counted)
            {
                room.Release();
            }
        }
    }

    /// <summary>The chat an update belongs to (its lane); updates without a chat share lane 0.</summary>
    internal static long ChatOf(Update update) =>
        update.Message?.Chat.Id
        ?? update.EditedMessage?.Chat.Id
        ?? update.CallbackQuery?.Message?.Chat.Id
        ?? update.CallbackQuery?.From.Id
        ?? update.MyChatMember?.Chat.Id
        ?? 0;

    private async Task<long?> LoadAsync(CancellationToken cancellationToken)
    {
        if (lastHandled is null
            && await keyValues.GetAsync(LastUpdateKey, cancellationToken).ConfigureAwait(false) is { } stored
            && long.TryParse(stored, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
        {
            lastHandled = id;
        }

        return lastHandled;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Telegram update {UpdateId} skipped: it was taken already")]
    private static partial void LogSkipped(ILogger logger, int updateId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telegram update {UpdateId} not handled: shutting down")]
    private static partial void LogCancelled(ILogger logger, int updateId);
}

/// <summary>A bounded set of ids that forgets the oldest first.</summary>
internal sealed class RecentIds(int capacity)
{
    private readonly HashSet<long> members = [];
    private readonly Queue<long> order = new();

    public static RecentIds Parse(string text, int capacity)
    {
        var ids = new RecentIds(capacity);
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (long.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
            {
                ids.Add(id);
            }
        }

        return ids;
    }

    /// <summary>False when the id is among the recent ones already.</summary>
    public bool Add(long id)
    {
        if (!members.Add(id))
        {
            return false;
        }

        order.Enqueue(id);
        if (order.Count > capacity)
        {
            members.Remove(order.Dequeue());
        }

        return true;
    }

    public override string ToString() => string.Join(',', order.Select(id => id.ToString(CultureInfo.InvariantCulture)));
}
