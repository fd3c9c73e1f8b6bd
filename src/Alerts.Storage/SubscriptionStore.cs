using System.Data.Common;
using Alerts.Core.Subscriptions;
using Alerts.Storage.Sql;

namespace Alerts.Storage;

/// <summary>
/// Subscribers and subscriptions with a change feed. Every change takes the next value of the <c>subscriptions</c>
/// counter row first: the row stays locked until commit, so changes commit in version order on both databases,
/// and a reader that has seen version V has seen every change up to V (no gaps, unlike a sequence).
/// </summary>
internal sealed class SubscriptionStore(SqlDatabase database, TimeProvider time) : ISubscriptionStore
{
    private const string SubscriberColumns = "id, platform, address, is_group, paused, active, time_zone, deactivated_reason";
    private const string SettingsColumns = "language, detected_language, muted_until, quiet_hours, long_format";
    private const string SubscriptionColumns = "id, subscriber_id, query, source_id, created_at, muted_until";

    private readonly ISqlDialect dialect = database.Dialect;

    public async Task<Subscriber> EnsureSubscriberAsync(Subscriber subscriber, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        ArgumentException.ThrowIfNullOrEmpty(subscriber.Id);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using (var insert = connection.Command(
            $"""
            INSERT INTO subscribers ({SubscriberColumns}, detected_language, created_at)
            VALUES (@id, @platform, @address, @isGroup, @paused, @active, @timeZone, @reason, @detected, @createdAt)
            ON CONFLICT (id) DO NOTHING
            """))
        {
            // A new chat starts in the language of the client that wrote first (SPEC §5).
            await AddSubscriberParameters(insert, subscriber).With("detected", subscriber.DetectedLanguage)
                .With("createdAt", dialect.Time(time.GetUtcNow())).ExecuteNonQueryAsync(cancellationToken);
        }

        return await ReadSubscriberAsync(connection, null, subscriber.Id, cancellationToken)
            ?? throw new InvalidOperationException($"Subscriber '{subscriber.Id}' vanished right after it was stored.");
    }

    public async Task<Subscriber?> GetSubscriberAsync(string subscriberId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await ReadSubscriberAsync(connection, null, subscriberId, cancellationToken);
    }

    public async Task<Subscription> AddSubscriptionAsync(string subscriberId, string query, string? sourceId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(subscriberId);
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken);
        var version = await NextVersionAsync(connection, transaction, cancellationToken);

        if (await ReadSubscriberAsync(connection, transaction, subscriberId, cancellationToken) is null)
        {
            throw new InvalidOperationException($"Subscriber '{subscriberId}' does not exist; call EnsureSubscriberAsync first.");
        }

        long id;
        await using (var insert = connection.Command(
            """
            INSERT INTO subscriptions (subscriber_id, query, source_id, created_at, version)
            VALUES (@subscriber, @query, @source, @createdAt, @version)
            RETURNING id
            """, transaction))
        {
            insert.With("subscriber", subscriberId).With("query", query).With("source", sourceId).With("createdAt", dialect.Time(now)).With("version", version);
            id = Convert.ToInt64(await insert.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }

        await transaction.CommitAsync(cancellationToken);
        return new Subscription(id, subscriberId, query, sourceId, now);
    }

    public async Task<IReadOnlyList<Subscription>> ListSubscriptionsAsync(string subscriberId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            $"SELECT {SubscriptionColumns} FROM subscriptions WHERE subscriber_id = @subscriber ORDER BY created_at, id")
            .With("subscriber", subscriberId);
        return await ReadSubscriptionsAsync(command, cancellationToken);
    }

    public async Task<bool> RemoveSubscriptionAsync(long subscriptionId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken);

        // The counter first, as in every change: one lock order everywhere, so two changes cannot deadlock.
        var version = await NextVersionAsync(connection, transaction, cancellationToken);
        await using (var delete = connection.Command("DELETE FROM subscriptions WHERE id = @id", transaction).With("id", subscriptionId))
        {
            if (await delete.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                await transaction.RollbackAsync(cancellationToken);
                return false;
            }
        }

        await using (var tombstone = connection.Command(
            """
            INSERT INTO subscription_tombstones (subscription_id, version) VALUES (@id, @version)
            ON CONFLICT (subscription_id) DO UPDATE SET version = excluded.version
            """, transaction))
        {
            await tombstone.With("id", subscriptionId).With("version", version).ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<IReadOnlyList<Subscription>> GetAllSubscriptionsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command($"SELECT {SubscriptionColumns} FROM subscriptions ORDER BY id");
        return await ReadSubscriptionsAsync(command, cancellationToken);
    }

    public async Task<SubscriptionChanges> GetChangesSinceAsync(long sinceVersion, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);

        // Read the committed version first and bound both queries by it: every change up to it has committed
        // (see the class comment), and anything later is left for the next call instead of being half-seen.
        long version;
        await using (var counter = connection.Command("SELECT value FROM counters WHERE name = 'subscriptions'"))
        {
            version = Convert.ToInt64(await counter.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }

        if (version <= sinceVersion)
        {
            return new SubscriptionChanges([], [], Math.Max(version, sinceVersion));
        }

        IReadOnlyList<Subscription> added;
        await using (var command = connection.Command(
            $"SELECT {SubscriptionColumns} FROM subscriptions WHERE version > @since AND version <= @version ORDER BY id")
            .With("since", sinceVersion).With("version", version))
        {
            added = await ReadSubscriptionsAsync(command, cancellationToken);
        }

        var removed = new List<long>();
        await using (var command = connection.Command(
            "SELECT subscription_id FROM subscription_tombstones WHERE version > @since AND version <= @version ORDER BY subscription_id")
            .With("since", sinceVersion).With("version", version))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                removed.Add(reader.GetInt64(0));
            }
        }

        return new SubscriptionChanges(added, removed, version);
    }

    public Task SetPausedAsync(string subscriberId, bool paused, CancellationToken cancellationToken = default) =>
        UpdateSubscriberAsync("UPDATE subscribers SET paused = @flag WHERE id = @id", subscriberId, paused, null, cancellationToken);

    public async Task SaveSettingsAsync(Subscriber subscriber, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            """
            UPDATE subscribers SET language = @language, detected_language = @detected, time_zone = @timeZone,
                muted_until = @mutedUntil, quiet_hours = @quiet, long_format = @longFormat
            WHERE id = @id
            """);
        await AddSettingsParameters(command, subscriber).With("id", subscriber.Id).With("timeZone", subscriber.TimeZone).ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<Subscription>> GetMutedSubscriptionsAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command($"SELECT {SubscriptionColumns} FROM subscriptions WHERE muted_until > @now ORDER BY id").With("now", dialect.Time(now));
        return await ReadSubscriptionsAsync(command, cancellationToken);
    }

    public async Task<bool> SetSubscriptionMutedUntilAsync(long subscriptionId, DateTimeOffset? until, CancellationToken cancellationToken = default)
    {
        // Not a change of what matches (the matcher keeps muted subscriptions), so no new feed version.
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("UPDATE subscriptions SET muted_until = @until WHERE id = @id")
            .With("id", subscriptionId).With("until", until is { } u ? dialect.Time(u) : null);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public Task DeactivateAsync(string subscriberId, string reason, CancellationToken cancellationToken = default) =>
        UpdateSubscriberAsync("UPDATE subscribers SET active = @flag, deactivated_reason = @reason WHERE id = @id", subscriberId, false, reason ?? "", cancellationToken);

    public Task ReactivateAsync(string subscriberId, CancellationToken cancellationToken = default) =>
        UpdateSubscriberAsync("UPDATE subscribers SET active = @flag, deactivated_reason = NULL WHERE id = @id", subscriberId, true, null, cancellationToken);

    public async Task MigrateSubscriberAsync(string oldSubscriberId, Subscriber newSubscriber, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(oldSubscriberId);
        ArgumentNullException.ThrowIfNull(newSubscriber);
        if (string.Equals(oldSubscriberId, newSubscriber.Id, StringComparison.Ordinal))
        {
            return;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken);
        var version = await NextVersionAsync(connection, transaction, cancellationToken);

        // The subscriber's own choices (pause, time zone) move with it; the platform facts come from the new address.
        var old = await ReadSubscriberAsync(connection, transaction, oldSubscriberId, cancellationToken);
        var target = old is null ? newSubscriber : newSubscriber with
        {
            Paused = old.Paused, TimeZone = old.TimeZone, Active = true, DeactivatedReason = null,
            Language = old.Language, DetectedLanguage = old.DetectedLanguage, MutedUntil = old.MutedUntil, Quiet = old.Quiet, LongFormat = old.LongFormat,
        };
        await using (var insert = connection.Command(
            $"""
            INSERT INTO subscribers ({SubscriberColumns}, created_at)
            VALUES (@id, @platform, @address, @isGroup, @paused, @active, @timeZone, @reason, @createdAt)
            ON CONFLICT (id) DO NOTHING
            """, transaction))
        {
            await AddSubscriberParameters(insert, target).With("createdAt", dialect.Time(time.GetUtcNow())).ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var settings = connection.Command(
            """
            UPDATE subscribers SET language = @language, detected_language = @detected, muted_until = @mutedUntil,
                quiet_hours = @quiet, long_format = @longFormat
            WHERE id = @id
            """, transaction))
        {
            await AddSettingsParameters(settings, target).With("id", target.Id).ExecuteNonQueryAsync(cancellationToken);
        }

        if (old is not null)
        {
            // A new version on every moved subscription puts it in the feed again, so each instance's matcher re-adds it under the new subscriber.
            await ExecuteAsync(connection, transaction, "UPDATE subscriptions SET subscriber_id = @new, version = @version WHERE subscriber_id = @old",
                cancellationToken, ("new", newSubscriber.Id), ("old", oldSubscriberId), ("version", version));

            // At most one alert per (subscriber, item): a pending row the new address already has wins over the moved one.
            await ExecuteAsync(connection, transaction,
                """
                DELETE FROM outbox
                WHERE subscriber_id = @old AND status = 'pending' AND EXISTS (
                    SELECT 1 FROM outbox AS existing
                    WHERE existing.subscriber_id = @new AND existing.source_id = outbox.source_id AND existing.item_key = outbox.item_key)
                """,
                cancellationToken, ("new", newSubscriber.Id), ("old", oldSubscriberId));
            await ExecuteAsync(connection, transaction, "UPDATE outbox SET subscriber_id = @new WHERE subscriber_id = @old AND status = 'pending'",
                cancellationToken, ("new", newSubscriber.Id), ("old", oldSubscriberId));
            await ExecuteAsync(connection, transaction, "UPDATE subscribers SET active = @flag, deactivated_reason = @reason WHERE id = @old",
                cancellationToken, ("flag", false), ("reason", $"migrated to {newSubscriber.Id}"), ("old", oldSubscriberId));
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private DbCommand AddSettingsParameters(DbCommand command, Subscriber subscriber) =>
        command.With("language", subscriber.Language).With("detected", subscriber.DetectedLanguage)
            .With("mutedUntil", subscriber.MutedUntil is { } until ? dialect.Time(until) : null)
            .With("quiet", subscriber.Quiet?.ToString()).With("longFormat", subscriber.LongFormat);

    private static DbCommand AddSubscriberParameters(DbCommand command, Subscriber subscriber) =>
        command.With("id", subscriber.Id).With("platform", subscriber.Platform).With("address", subscriber.Address)
            .With("isGroup", subscriber.IsGroup).With("paused", subscriber.Paused).With("active", subscriber.Active)
            .With("timeZone", subscriber.TimeZone).With("reason", subscriber.DeactivatedReason);

    private static async Task<long> NextVersionAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.Command("UPDATE counters SET value = value + 1 WHERE name = 'subscriptions' RETURNING value", transaction);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<Subscriber?> ReadSubscriberAsync(DbConnection connection, DbTransaction? transaction, string subscriberId, CancellationToken cancellationToken)
    {
        await using var command = connection.Command($"SELECT {SubscriberColumns}, {SettingsColumns} FROM subscribers WHERE id = @id", transaction).With("id", subscriberId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new Subscriber(
            reader.GetString(0),
            reader.GetString(1),
            reader.GetString(2),
            IsGroup: reader.GetBoolean(3),
            Paused: reader.GetBoolean(4),
            Active: reader.GetBoolean(5),
            TimeZone: reader.GetString(6),
            DeactivatedReason: reader.GetNullableString(7),
            Language: reader.GetNullableString(8),
            DetectedLanguage: reader.GetNullableString(9),
            MutedUntil: reader.IsDBNull(10) ? null : dialect.ReadTime(reader, 10),
            Quiet: QuietHours.TryParse(reader.GetNullableString(11), out var quiet) ? quiet : null,
            LongFormat: reader.GetBoolean(12));
    }

    private async Task<IReadOnlyList<Subscription>> ReadSubscriptionsAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var list = new List<Subscription>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new Subscription(
                reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetNullableString(3), dialect.ReadTime(reader, 4),
                reader.IsDBNull(5) ? null : dialect.ReadTime(reader, 5)));
        }

        return list;
    }

    private async Task UpdateSubscriberAsync(string sql, string subscriberId, bool flag, string? reason, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(sql).With("id", subscriberId).With("flag", flag);
        if (reason is not null)
        {
            command.With("reason", reason);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = connection.Command(sql, transaction);
        foreach (var (name, value) in parameters)
        {
            command.With(name, value);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
