using Alerts.Core.Delivery;
using Alerts.Core.Diffing;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tickers;

namespace Alerts.Host.Tests.Fakes;

/// <summary>
/// A thread-safe in-memory stand-in for the Alerts.Storage stores, with the same observable rules:
/// one outbox row per (subscriber, source, key), claims with leases, leases by name.
/// </summary>
internal sealed class InMemoryAlertStore : ITickerStateStore, IOutboxStore, ILeaseStore, ISubscriptionStore
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, SourceState> states = [];
    private readonly Dictionary<string, List<TickerItem>> recent = [];
    private readonly List<Row> rows = [];
    private readonly Dictionary<long, int> rowIndex = [];
    private readonly Dictionary<string, (string Owner, DateTimeOffset Until)> leases = [];
    private readonly InMemorySubscriptionStore subscriptionStore = new();
    private long nextRowId = 1;
    private int pendingFrom;

    /// <summary>When true every call throws, as if the database were down.</summary>
    public bool Down { get; set; }

    /// <summary>When true leases cannot be written while everything else answers, as on a full disk that still serves reads.</summary>
    public bool WritesFail { get; set; }

    public int CommitCount { get; private set; }

    /// <summary>Awaited before a poll's commit: lets a test hold the polls of one source, as a hung database write would.</summary>
    public Func<PollCommit, Task>? BeforeCommit { get; set; }

    public IReadOnlyList<Row> Rows
    {
        get
        {
            lock (gate)
            {
                return [.. rows.Select(r => r with { })];
            }
        }
    }

    public sealed record Row(OutboxAlert Alert, OutboxStatus Status, DateTimeOffset NotBefore, string? LeaseOwner, DateTimeOffset LeaseUntil, string? Reason, DateTimeOffset? SentAt);

    public Task<SourceState?> GetStateAsync(string sourceId, CancellationToken cancellationToken = default) =>
        Run(() => states.GetValueOrDefault(sourceId));

    public async Task CommitPollAsync(PollCommit commit, CancellationToken cancellationToken = default)
    {
        if (BeforeCommit is { } hold)
        {
            await hold(commit);
        }

        await CommitCoreAsync(commit);
    }

    private Task CommitCoreAsync(PollCommit commit) => Run(() =>
    {
        CommitCount++;
        var old = states.GetValueOrDefault(commit.SourceId);
        var seen = old is null ? new Dictionary<string, SeenItem>() : new Dictionary<string, SeenItem>(old.Seen);
        foreach (var item in commit.Items)
        {
            seen[item.Key] = new SeenItem(item.Key, item.ContentHash, ItemIdentity.HeadlineFingerprint(item.Headline));
        }

        states[commit.SourceId] = new SourceState(seen, commit.ETag, commit.LastModified, commit.PolledAt, 0, null);
        recent[commit.SourceId] = [.. commit.Items];
        foreach (var a in commit.Alerts)
        {
            if (rows.Any(r => r.Alert.SubscriberId == a.SubscriberId && r.Alert.SourceId == a.Item.SourceId && r.Alert.ItemKey == a.Item.Key))
            {
                continue;
            }

            var alert = new OutboxAlert(nextRowId++, a.SubscriberId, a.Item.SourceId, a.Item.Key, a.Item.Published, a.Item.Headline, a.Item.Body, a.Item.Url, a.Query, a.Matched, commit.PolledAt);
            rowIndex[alert.Id] = rows.Count;
            rows.Add(new Row(alert, OutboxStatus.Pending, commit.PolledAt, null, default, null, null));
        }

        // As the store: the rows of updated entries take the new text; pending ones go out so, sent ones within the
        // window become edits.
        foreach (var update in commit.Updates ?? [])
        {
            for (var i = 0; i < rows.Count; i++)
            {
                var r = rows[i];
                var editable = r.Status == OutboxStatus.Sent && r.Alert.IsEdit && commit.EditableSince is { } since && r.SentAt >= since;
                if (r.Alert.SourceId != commit.SourceId || r.Alert.ItemKey != update.PreviousKey || !(r.Status == OutboxStatus.Pending || editable))
                {
                    continue;
                }

                var item = update.Item;
                rows[i] = r with
                {
                    Status = OutboxStatus.Pending,
                    NotBefore = r.Status == OutboxStatus.Sent ? commit.PolledAt : r.NotBefore,
                    Alert = r.Alert with
                    {
                        ItemKey = item.Key, Published = item.Published, Headline = item.Headline, Body = item.Body, Url = item.Url,
                        Revision = r.Alert.Revision + 1, Attempts = r.Status == OutboxStatus.Sent ? 0 : r.Alert.Attempts,
                    },
                };
                pendingFrom = 0;
            }
        }

        return 0;
    });

    public Task RecordSuccessAsync(string sourceId, DateTimeOffset at, CancellationToken cancellationToken = default) => Run(() =>
    {
        if (states.TryGetValue(sourceId, out var s))
        {
            states[sourceId] = s with { LastSuccessAt = at, ConsecutiveFailures = 0, LastError = null };
        }

        return 0;
    });

    public Task RecordFailureAsync(string sourceId, string error, DateTimeOffset at, CancellationToken cancellationToken = default) => Run(() =>
    {
        if (states.TryGetValue(sourceId, out var s))
        {
            states[sourceId] = s with { ConsecutiveFailures = s.ConsecutiveFailures + 1, LastError = error };
        }

        return 0;
    });

    public Task<IReadOnlyList<TickerItem>> GetRecentItemsAsync(string sourceId, int count, CancellationToken cancellationToken = default) =>
        Run<IReadOnlyList<TickerItem>>(() => [.. recent.GetValueOrDefault(sourceId, []).Take(count)]);

    /// <summary>Adds pending rows directly, as a poll would.</summary>
    public IReadOnlyList<long> Enqueue(IEnumerable<(string Subscriber, string Key)> alerts, DateTimeOffset at)
    {
        lock (gate)
        {
            var ids = new List<long>();
            foreach (var (subscriber, key) in alerts)
            {
                var alert = new OutboxAlert(nextRowId++, subscriber, "src", key, at, $"Headline {key}", "Body", null, "q", ["q"], at);
                rowIndex[alert.Id] = rows.Count;
                rows.Add(new Row(alert, OutboxStatus.Pending, at, null, default, null, null));
                ids.Add(alert.Id);
            }

            return ids;
        }
    }

    public Task<IReadOnlyList<OutboxAlert>> ClaimDueAsync(string owner, int max, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken = default) => Run<IReadOnlyList<OutboxAlert>>(() =>
    {
        var claimed = new List<OutboxAlert>();
        pendingFrom = Math.Min(pendingFrom, rows.Count);
        while (pendingFrom < rows.Count && rows[pendingFrom].Status != OutboxStatus.Pending)
        {
            pendingFrom++;
        }

        for (var i = pendingFrom; i < rows.Count && claimed.Count < max; i++)
        {
            var r = rows[i];
            if (r.Status == OutboxStatus.Pending && r.NotBefore <= now && (r.LeaseOwner is null || r.LeaseUntil <= now))
            {
                rows[i] = r with { LeaseOwner = owner, LeaseUntil = now + lease };
                claimed.Add(r.Alert);
            }
        }

        return claimed;
    });

    public Task<int> ReleaseClaimsAsync(DateTimeOffset now, CancellationToken cancellationToken = default) => Run(() =>
    {
        var released = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i] is { Status: OutboxStatus.Pending, LeaseOwner: not null } r)
            {
                rows[i] = r with { LeaseOwner = null, NotBefore = now };
                released++;
            }
        }

        pendingFrom = 0;
        return released;
    });

    public Task MarkSentAsync(long id, DateTimeOffset at, SentReceipt? receipt = null, CancellationToken cancellationToken = default) =>
        Update(id, r =>
        {
            var message = receipt?.Message;
            var again = message is not null && receipt!.Revision != r.Alert.Revision;
            if (again)
            {
                pendingFrom = 0;
            }

            return r with
            {
                Status = again ? OutboxStatus.Pending : OutboxStatus.Sent,
                NotBefore = at,
                SentAt = r.SentAt ?? at,
                LeaseOwner = null,
                Alert = r.Alert with { Message = message ?? r.Alert.Message },
            };
        });

    public Task MarkFailedAsync(long id, string reason, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        Update(id, r => r with { Status = r.Alert.IsEdit ? OutboxStatus.Sent : OutboxStatus.Failed, Reason = reason, LeaseOwner = null });

    public Task RescheduleAsync(long id, DateTimeOffset notBefore, string reason, bool countsAsAttempt, CancellationToken cancellationToken = default) =>
        Update(id, r => r with
        {
            NotBefore = notBefore,
            Reason = reason,
            LeaseOwner = null,
            Alert = countsAsAttempt ? r.Alert with { Attempts = r.Alert.Attempts + 1 } : r.Alert,
        });

    public Task<IReadOnlyDictionary<OutboxStatus, long>> CountByStatusAsync(CancellationToken cancellationToken = default) =>
        Run<IReadOnlyDictionary<OutboxStatus, long>>(() => rows.GroupBy(r => r.Status).ToDictionary(g => g.Key, g => (long)g.Count()));

    public Task<bool> TryAcquireAsync(string name, string owner, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken = default) => Run(() =>
    {
        if (WritesFail)
        {
            throw new InvalidOperationException("database or disk is full");
        }

        if (leases.TryGetValue(name, out var l) && l.Owner != owner && l.Until > now)
        {
            return false;
        }

        leases[name] = (owner, now + duration);
        return true;
    });

    public Task ReleaseAsync(string name, string owner, CancellationToken cancellationToken = default) => Run(() =>
    {
        if (leases.TryGetValue(name, out var l) && l.Owner == owner)
        {
            leases.Remove(name);
        }

        return 0;
    });

    public string? LeaseHolder(string name)
    {
        lock (gate)
        {
            return leases.TryGetValue(name, out var l) ? l.Owner : null;
        }
    }

    // The subscription half is the shared in-memory store; this one adds only the outage switch and, on a
    // migration, moves the pending rows to the new id as the real storage does.
    public Task<Subscriber> EnsureSubscriberAsync(Subscriber subscriber, CancellationToken cancellationToken = default) =>
        Available(subscriptionStore).EnsureSubscriberAsync(subscriber, cancellationToken);

    public Task<Subscriber?> GetSubscriberAsync(string subscriberId, CancellationToken cancellationToken = default) =>
        Available(subscriptionStore).GetSubscriberAsync(subscriberId, cancellationToken);

    public Task<Subscription> AddSubscriptionAsync(string subscriberId, string query, string? sourceId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Available(subscriptionStore).AddSubscriptionAsync(subscriberId, query, sourceId, now, cancellationToken);

    public Task<IReadOnlyList<Subscription>> ListSubscriptionsAsync(string subscriberId, CancellationToken cancellationToken = default) =>
        Available(subscriptionStore).ListSubscriptionsAsync(subscriberId, cancellationToken);

    public Task<bool> RemoveSubscriptionAsync(long subscriptionId, CancellationToken cancellationToken = default) =>
        Available(subscriptionStore).RemoveSubscriptionAsync(subscriptionId, cancellationToken);

    public Task<IReadOnlyList<Subscription>> GetAllSubscriptionsAsync(CancellationToken cancellationToken = default) =>
        Available(subscriptionStore).GetAllSubscriptionsAsync(cancellationToken);

    public Task<SubscriptionChanges> GetChangesSinceAsync(long sinceVersion, CancellationToken cancellationToken = default) =>
        Available(subscriptionStore).GetChangesSinceAsync(sinceVersion, cancellationToken);

    public Task SetPausedAsync(string subscriberId, bool paused, CancellationToken cancellationToken = default) =>
        Available(subscriptionStore).SetPausedAsync(subscriberId, paused, cancellationToken);

    public Task<IReadOnlyList<Subscription>> GetMutedSubscriptionsAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Available(subscriptionStore).GetMutedSubscriptionsAsync(now, cancellationToken);

    public Task SaveSettingsAsync(Subscriber subscriber, CancellationToken cancellationToken = default) =>
        Available(subscriptionStore).SaveSettingsAsync(subscriber, cancellationToken);

    public Task<bool> SetSubscriptionMutedUntilAsync(long subscriptionId, DateTimeOffset? until, CancellationToken cancellationToken = default) =>
        Available(subscriptionStore).SetSubscriptionMutedUntilAsync(subscriptionId, until, cancellationToken);

    public Task DeactivateAsync(string subscriberId, string reason, CancellationToken cancellationToken = default) =>
        Available(subscriptionStore).DeactivateAsync(subscriberId, reason, cancellationToken);

    public Task ReactivateAsync(string subscriberId, CancellationToken cancellationToken = default) =>
        Available(subscriptionStore).ReactivateAsync(subscriberId, cancellationToken);

    public async Task MigrateSubscriberAsync(string oldSubscriberId, Subscriber newSubscriber, CancellationToken cancellationToken = default)
    {
        await Available(subscriptionStore).MigrateSubscriberAsync(oldSubscriberId, newSubscriber, cancellationToken);
        await Run(() =>
        {
            for (var i = 0; i < rows.Count; i++)
            {
                if (rows[i].Alert.SubscriberId == oldSubscriberId && rows[i].Status == OutboxStatus.Pending)
                {
                    rows[i] = rows[i] with { Alert = rows[i].Alert with { SubscriberId = newSubscriber.Id } };
                }
            }

            return 0;
        });
    }

    private T Available<T>(T store) => Down ? throw new InvalidOperationException("database is down") : store;

    private Task Update(long id, Func<Row, Row> change) => Run(() =>
    {
        var i = rowIndex[id];
        rows[i] = change(rows[i]);
        return 0;
    });

    private Task<T> Run<T>(Func<T> action)
    {
        lock (gate)
        {
            if (Down)
            {
                throw new InvalidOperationException("database is down");
            }

            return Task.FromResult(action());
        }
    }
}
