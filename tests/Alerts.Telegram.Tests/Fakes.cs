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

    public Task<CommandReply> SubscribeAsync(Subscriber subscriber, string query, string? sourceId, CancellationToken cancellationToken = default) =>
        Record($"subscribe {subscriber.Id} [{query}]", SubscribeReply);

    public Task<CommandReply> UnsubscribeAsync(Subscriber subscriber, string numberOrQuery, CancellationToken cancellationToken = default) =>
        Record($"unsubscribe {subscriber.Id} [{numberOrQuery}]", UnsubscribeReply);

    public Task<CommandReply> ListAsync(Subscriber subscriber, CancellationToken cancellationToken = default) =>
        Record($"list {subscriber.Id}", ListReply);

    public Task<CommandReply> PreviewAsync(Subscriber subscriber, string query, string? sourceId, CancellationToken cancellationToken = default) =>
        Record($"preview {subscriber.Id} [{query}]", PreviewReply);

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

/// <summary>An outbox in memory that records how each row was settled.</summary>
public sealed class RecordingOutbox : IOutboxStore
{
    public const string Pending = "pending";
    public const string Sent = "sent";
    public const string Failed = "failed";

    private readonly ConcurrentDictionary<long, Row> rows = new();
    private long nextId;

    public long Add(OutboxAlert alert)
    {
        var id = Interlocked.Increment(ref nextId);
        rows[id] = new Row(alert with { Id = id }, Pending, DateTimeOffset.MinValue, DateTimeOffset.MinValue, null);
        return id;
    }

    public string Status(long id) => rows[id].Status;

    public int CountWith(string status) => rows.Values.Count(r => r.Status == status);

    public string? Reason(long id) => rows[id].Reason;

    public int Attempts(long id) => rows[id].Alert.Attempts;

    public DateTimeOffset NotBefore(long id) => rows[id].NotBefore;

    public Task<IReadOnlyList<OutboxAlert>> ClaimDueAsync(string owner, int max, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        lock (rows)
        {
            var due = rows.Values.Where(r => r.Status == Pending && r.NotBefore <= now && r.LeasedUntil <= now).OrderBy(r => r.Alert.Id).Take(max).ToList();
            foreach (var r in due)
            {
                rows[r.Alert.Id] = r with { LeasedUntil = now + lease };
            }

            return Task.FromResult<IReadOnlyList<OutboxAlert>>([.. due.Select(r => r.Alert)]);
        }
    }

    public Task<int> ReleaseClaimsAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (rows)
        {
            var claimed = rows.Values.Where(r => r.Status == Pending && r.LeasedUntil > now).ToList();
            foreach (var r in claimed)
            {
                rows[r.Alert.Id] = r with { LeasedUntil = DateTimeOffset.MinValue, NotBefore = now };
            }

            return Task.FromResult(claimed.Count);
        }
    }

    /// <summary>Where the platform put the row's alert (null until it was sent alone).</summary>
    public PlatformMessage? Message(long id) => rows[id].Alert.Message;

    public Task MarkSentAsync(long id, DateTimeOffset at, SentReceipt? receipt = null, CancellationToken cancellationToken = default) =>
        Update(id, r => r with { Status = Sent, Alert = r.Alert with { Message = receipt?.Message ?? r.Alert.Message } });

    // As the store: an alert that went out stays sent when its edit fails.
    public Task MarkFailedAsync(long id, string reason, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        Update(id, r => r with { Status = r.Alert.IsEdit ? Sent : Failed, Reason = reason });

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
        lock (rows)
        {
            rows[id] = change(rows[id]);
        }

        return Task.CompletedTask;
    }

    private sealed record Row(OutboxAlert Alert, string Status, DateTimeOffset NotBefore, DateTimeOffset LeasedUntil, string? Reason);
}
