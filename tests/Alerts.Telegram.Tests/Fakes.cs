using System.Collections.Concurrent;
using Alerts.Core.Delivery;
using Alerts.Core.Subscriptions;

namespace Alerts.Telegram.Tests;

/// <summary>Records every command call and answers with what the test set up.</summary>
public sealed class RecordingCommands : ISubscriptionCommands
{
    public ConcurrentQueue<string> Calls { get; } = new();

    public CommandReply SubscribeReply { get; set; } = new(true, "Abonniert / subscribed: Drohne*", ["Drohne*"]);

    public CommandReply UnsubscribeReply { get; set; } = CommandReply.Ok("Gelöscht / removed: 1");

    public CommandReply ListReply { get; set; } = CommandReply.Ok("1. Drohne*");

    public CommandReply PreviewReply { get; set; } = CommandReply.Ok("nothing");

    /// <summary>When set, a preview holds its thread until the gate opens, as matching does (synchronously, CPU-bound).</summary>
    public ManualResetEventSlim? PreviewGate { get; set; }

    public Task<CommandReply> SubscribeAsync(Subscriber subscriber, string query, string? sourceId, CancellationToken cancellationToken = default) =>
        Record($"subscribe {subscriber.Id} [{query}]", SubscribeReply);

    public Task<CommandReply> UnsubscribeAsync(Subscriber subscriber, string numberOrQuery, CancellationToken cancellationToken = default) =>
        Record($"unsubscribe {subscriber.Id} [{numberOrQuery}]", UnsubscribeReply);

    public Task<CommandReply> ListAsync(Subscriber subscriber, CancellationToken cancellationToken = default) =>
        Record($"list {subscriber.Id}", ListReply);

    public Task<CommandReply> PreviewAsync(Subscriber subscriber, string query, string? sourceId, CancellationToken cancellationToken = default)
    {
        PreviewGate?.Wait(TimeSpan.FromSeconds(30));
        return Record($"preview {subscriber.Id} [{query}]", PreviewReply);
    }

    public Task<CommandReply> PauseAsync(Subscriber subscriber, CancellationToken cancellationToken = default) =>
        Record($"pause {subscriber.Id}", CommandReply.Ok("paused"));

    public Task<CommandReply> ResumeAsync(Subscriber subscriber, CancellationToken cancellationToken = default) =>
        Record($"resume {subscriber.Id}", CommandReply.Ok("resumed"));

    public Task<CommandReply> StopAsync(Subscriber subscriber, CancellationToken cancellationToken = default) =>
        Record($"stop {subscriber.Id}", CommandReply.Ok("stop?"));

    public Task<CommandReply> MuteAsync(Subscriber subscriber, string duration, CancellationToken cancellationToken = default) =>
        Record($"mute {subscriber.Id} [{duration}]", CommandReply.Ok("muted"));

    public Task<CommandReply> QuietAsync(Subscriber subscriber, string hours, CancellationToken cancellationToken = default) =>
        Record($"quiet {subscriber.Id} [{hours}]", CommandReply.Ok("quiet"));

    public Task<CommandReply> SetTimeZoneAsync(Subscriber subscriber, string zone, CancellationToken cancellationToken = default) =>
        Record($"timezone {subscriber.Id} [{zone}]", CommandReply.Ok("zone"));

    public Task<CommandReply> SetLanguageAsync(Subscriber subscriber, string language, CancellationToken cancellationToken = default) =>
        Record($"language {subscriber.Id} [{language}]", CommandReply.Ok("language"));

    public Task<CommandReply> SetFormatAsync(Subscriber subscriber, string format, CancellationToken cancellationToken = default) =>
        Record($"format {subscriber.Id} [{format}]", CommandReply.Ok("format"));

    public Task<CommandReply> OfferAsync(Subscriber subscriber, string query, bool shared, CancellationToken cancellationToken = default) =>
        Record($"offer {subscriber.Id} [{query}] shared={shared}", CommandReply.Ok("offer"));

    public Task<ButtonOutcome> PressAsync(Subscriber subscriber, ChatAction action, bool numbered, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue($"press {subscriber.Id} {action.Encode()} numbered={numbered}");
        return Task.FromResult(new ButtonOutcome("pressed"));
    }

    public CommandReply Sources(Subscriber subscriber)
    {
        Calls.Enqueue("sources");
        return CommandReply.Ok("ntv-ukraine – ntv.de Ukraine-Liveticker");
    }

    public CommandReply Help(Subscriber subscriber, string commandSyntax)
    {
        Calls.Enqueue($"help {commandSyntax}");
        return CommandReply.Ok($"{commandSyntax} Drohne* – Drohne, Drohnen, Drohnenangriff");
    }

    public CommandReply Start(Subscriber subscriber)
    {
        Calls.Enqueue($"start {subscriber.Id}");
        return CommandReply.Ok("welcome");
    }

    public IReadOnlyList<ChatButton> AlertButtons(Subscriber subscriber, Subscription subscription) =>
        [new ChatButton("end", new ChatAction.End(subscription.Id))];

    private Task<CommandReply> Record(string call, CommandReply reply)
    {
        Calls.Enqueue(call);
        return Task.FromResult(reply);
    }
}

/// <summary>An in-memory subscriber table with just enough behaviour for the adapter.</summary>
public sealed class InMemorySubscriptionStore : ISubscriptionStore
{
    public ConcurrentDictionary<string, Subscriber> Subscribers { get; } = new();

    public ConcurrentQueue<string> Calls { get; } = new();

    public Task<Subscriber> EnsureSubscriberAsync(Subscriber subscriber, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue($"ensure {subscriber.Id} group={subscriber.IsGroup}");
        return Task.FromResult(Subscribers.GetOrAdd(subscriber.Id, subscriber));
    }

    public Task<Subscriber?> GetSubscriberAsync(string subscriberId, CancellationToken cancellationToken = default) =>
        Task.FromResult(Subscribers.TryGetValue(subscriberId, out var s) ? s : null);

    public ConcurrentDictionary<long, Subscription> Subscriptions { get; } = new();

    private long _nextId;

    public Task<Subscription> AddSubscriptionAsync(string subscriberId, string query, string? sourceId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var added = new Subscription(Interlocked.Increment(ref _nextId), subscriberId, query, sourceId, now);
        Subscriptions[added.Id] = added;
        return Task.FromResult(added);
    }

    public Task<IReadOnlyList<Subscription>> ListSubscriptionsAsync(string subscriberId, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<Subscription>>(Subscriptions.Values.Where(s => s.SubscriberId == subscriberId).OrderBy(s => s.CreatedAt).ThenBy(s => s.Id).ToList());

    public Task<bool> RemoveSubscriptionAsync(long subscriptionId, CancellationToken cancellationToken = default) =>
        Task.FromResult(Subscriptions.TryRemove(subscriptionId, out _));

    public Task<IReadOnlyList<Subscription>> GetAllSubscriptionsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<Subscription>>(Subscriptions.Values.OrderBy(s => s.Id).ToList());

    public Task<IReadOnlyList<Subscription>> GetMutedSubscriptionsAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<Subscription>>(Subscriptions.Values.Where(s => s.IsMutedAt(now)).ToList());

    public Task SaveSettingsAsync(Subscriber subscriber, CancellationToken cancellationToken = default)
    {
        Subscribers.AddOrUpdate(subscriber.Id, _ => subscriber, (_, s) => s with
        {
            Language = subscriber.Language, DetectedLanguage = subscriber.DetectedLanguage, TimeZone = subscriber.TimeZone,
            MutedUntil = subscriber.MutedUntil, Quiet = subscriber.Quiet, LongFormat = subscriber.LongFormat,
        });
        return Task.CompletedTask;
    }

    public Task<bool> SetSubscriptionMutedUntilAsync(long subscriptionId, DateTimeOffset? until, CancellationToken cancellationToken = default)
    {
        if (!Subscriptions.TryGetValue(subscriptionId, out var s))
        {
            return Task.FromResult(false);
        }

        Subscriptions[subscriptionId] = s with { MutedUntil = until };
        return Task.FromResult(true);
    }

    public Task<SubscriptionChanges> GetChangesSinceAsync(long sinceVersion, CancellationToken cancellationToken = default) =>
        Task.FromResult(new SubscriptionChanges([], [], sinceVersion));

    public Task SetPausedAsync(string subscriberId, bool paused, CancellationToken cancellationToken = default)
    {
        Subscribers.AddOrUpdate(subscriberId, _ => throw new InvalidOperationException(), (_, s) => s with { Paused = paused });
        return Task.CompletedTask;
    }

    public Task DeactivateAsync(string subscriberId, string reason, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue($"deactivate {subscriberId}");
        if (Subscribers.TryGetValue(subscriberId, out var s))
        {
            Subscribers[subscriberId] = s with { Active = false, DeactivatedReason = reason };
        }

        return Task.CompletedTask;
    }

    public Task ReactivateAsync(string subscriberId, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue($"reactivate {subscriberId}");
        if (Subscribers.TryGetValue(subscriberId, out var s))
        {
            Subscribers[subscriberId] = s with { Active = true, DeactivatedReason = null };
        }

        return Task.CompletedTask;
    }

    public Task MigrateSubscriberAsync(string oldSubscriberId, Subscriber newSubscriber, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue($"migrate {oldSubscriberId} -> {newSubscriber.Id}");
        Subscribers.TryRemove(oldSubscriberId, out _);
        Subscribers[newSubscriber.Id] = newSubscriber;
        return Task.CompletedTask;
    }
}

public sealed class InMemoryKeyValueStore : IKeyValueStore
{
    public ConcurrentDictionary<string, string> Values { get; } = new();

    public int Writes;

    public Task<string?> GetAsync(string key, CancellationToken cancellationToken = default) =>
        Task.FromResult(Values.TryGetValue(key, out var v) ? v : null);

    public Task SetAsync(string key, string value, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref Writes);
        Values[key] = value;
        return Task.CompletedTask;
    }
}

/// <summary>Test data with sensible defaults.</summary>
public static class Build
{
    public static OutboxAlert Alert(
        string headline = "Drohnenangriff auf Kiew",
        string body = "In der Nacht griffen Drohnen die Hauptstadt an.",
        string? url = "https://www.n-tv.de/politik/x-article23143824.html#entry-1",
        IReadOnlyList<string>? matched = null,
        DateTimeOffset? published = null) =>
        new(
            Id: 1,
            SubscriberId: "telegram:42",
            SourceId: "ntv-ukraine",
            ItemKey: "k1",
            Published: published ?? new DateTimeOffset(2025, 12, 1, 14, 29, 0, TimeSpan.Zero),
            Headline: headline,
            Body: body,
            Url: url,
            Query: "Drohne*",
            Matched: matched ?? ["Drohnen"],
            EnqueuedAt: new DateTimeOffset(2025, 12, 1, 14, 30, 0, TimeSpan.Zero));

    public static AlertContext Context(string source = "ntv.de Ukraine-Liveticker") =>
        new(source, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));

    public static Subscriber Chat(long chatId = 42, bool group = false) =>
        new(Subscriber.MakeId(Platforms.Telegram, chatId.ToString(System.Globalization.CultureInfo.InvariantCulture)), Platforms.Telegram,
            chatId.ToString(System.Globalization.CultureInfo.InvariantCulture), IsGroup: group);

    public static TelegramOptions Options(string baseUrl, Action<TelegramOptions>? configure = null)
    {
        var options = new TelegramOptions { BotToken = FakeBotApi.Token, ApiBaseUrl = baseUrl };
        configure?.Invoke(options);
        return options;
    }
}

/// <summary>Keeps every formatted log line, to check what reaches the logs.</summary>
public sealed class CapturingLogger<T> : Microsoft.Extensions.Logging.ILogger<T>
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

    public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Lines.Enqueue($"{logLevel}: {formatter(state, exception)} {exception}");
}

/// <summary>An outbox in memory that records how each row was settled.</summary>
public sealed class RecordingOutbox : IOutboxStore
{
    public const string Pending = "pending";
    public const string Sent = "sent";
    public const string Failed = "failed";

    private readonly ConcurrentDictionary<long, Row> _rows = new();
    private long _nextId;

    public long Add(OutboxAlert alert)
    {
        var id = Interlocked.Increment(ref _nextId);
        _rows[id] = new Row(alert with { Id = id }, Pending, DateTimeOffset.MinValue, DateTimeOffset.MinValue, null);
        return id;
    }

    public string Status(long id) => _rows[id].Status;

    public int CountWith(string status) => _rows.Values.Count(r => r.Status == status);

    public string? Reason(long id) => _rows[id].Reason;

    public int Attempts(long id) => _rows[id].Alert.Attempts;

    public DateTimeOffset NotBefore(long id) => _rows[id].NotBefore;

    public Task<IReadOnlyList<OutboxAlert>> ClaimDueAsync(string owner, int max, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        lock (_rows)
        {
            var due = _rows.Values.Where(r => r.Status == Pending && r.NotBefore <= now && r.LeasedUntil <= now).OrderBy(r => r.Alert.Id).Take(max).ToList();
            foreach (var r in due)
            {
                _rows[r.Alert.Id] = r with { LeasedUntil = now + lease };
            }

            return Task.FromResult<IReadOnlyList<OutboxAlert>>([.. due.Select(r => r.Alert)]);
        }
    }

    public Task<int> ReleaseClaimsAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (_rows)
        {
            var claimed = _rows.Values.Where(r => r.Status == Pending && r.LeasedUntil > now).ToList();
            foreach (var r in claimed)
            {
                _rows[r.Alert.Id] = r with { LeasedUntil = DateTimeOffset.MinValue, NotBefore = now };
            }

            return Task.FromResult(claimed.Count);
        }
    }

    public Task MarkSentAsync(long id, DateTimeOffset at, CancellationToken cancellationToken = default) => Update(id, r => r with { Status = Sent });

    public Task MarkFailedAsync(long id, string reason, DateTimeOffset at, CancellationToken cancellationToken = default) => Update(id, r => r with { Status = Failed, Reason = reason });

    public Task RescheduleAsync(long id, DateTimeOffset notBefore, string reason, bool countsAsAttempt, CancellationToken cancellationToken = default) =>
        Update(id, r => r with
        {
            NotBefore = notBefore,
            LeasedUntil = DateTimeOffset.MinValue,
            Reason = reason,
            Alert = countsAsAttempt ? r.Alert with { Attempts = r.Alert.Attempts + 1 } : r.Alert,
        });

    public Task<IReadOnlyDictionary<OutboxStatus, long>> CountByStatusAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyDictionary<OutboxStatus, long>>(new Dictionary<OutboxStatus, long>());

    private Task Update(long id, Func<Row, Row> change)
    {
        lock (_rows)
        {
            _rows[id] = change(_rows[id]);
        }

        return Task.CompletedTask;
    }

    private sealed record Row(OutboxAlert Alert, string Status, DateTimeOffset NotBefore, DateTimeOffset LeasedUntil, string? Reason);
}
