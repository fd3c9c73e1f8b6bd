using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Alerts.Core.Diffing;
using Alerts.Core.Tickers;
using Alerts.Storage.Sql;

namespace Alerts.Storage;

/// <summary>Seen-set, recent items and poll bookkeeping per source, plus the outbox insert of a poll, on either database.</summary>
internal sealed class TickerStateStore(SqlDatabase database, StorageOptions options) : ITickerStateStore
{
    private readonly ISqlDialect dialect = database.Dialect;

    public async Task<SourceState?> GetStateAsync(string sourceId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourceId);
        await using var connection = await database.OpenAsync(cancellationToken);

        string? etag, lastModified, lastError;
        DateTimeOffset? lastSuccess;
        int failures, keyScheme;
        await using (var command = connection.Command(
            "SELECT etag, last_modified, last_success_at, consecutive_failures, last_error, baseline_at, key_scheme FROM source_state WHERE source_id = @source")
            .With("source", sourceId))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            // Failures before the first successful poll leave a row without a baseline: the next success is still the baseline.
            if (!await reader.ReadAsync(cancellationToken) || reader.IsDBNull(5))
            {
                return null;
            }

            etag = reader.GetNullableString(0);
            lastModified = reader.GetNullableString(1);
            lastSuccess = reader.IsDBNull(2) ? null : dialect.ReadTime(reader, 2);
            failures = reader.GetInt32(3);
            lastError = reader.GetNullableString(4);
            keyScheme = reader.GetInt32(6);
        }

        var seen = new Dictionary<string, SeenItem>(StringComparer.Ordinal);
        await using (var command = connection.Command(
            "SELECT item_key, content_hash, headline_fp, published FROM seen_items WHERE source_id = @source").With("source", sourceId))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var key = reader.GetString(0);
                seen[key] = new SeenItem(key, reader.GetString(1), reader.GetString(2), dialect.ReadTime(reader, 3));
            }
        }

        return new SourceState(seen, etag, lastModified, lastSuccess, failures, lastError, keyScheme);
    }

    public async Task CommitPollAsync(PollCommit commit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commit);
        ArgumentException.ThrowIfNullOrEmpty(commit.SourceId);

        // A key twice on one page is one entry, the topmost (as the differ sees it); PostgreSQL would also refuse
        // to upsert one row twice in a statement.
        var items = commit.Items.DistinctBy(i => i.Key, StringComparer.Ordinal).ToList();
        var polledAt = dialect.Time(commit.PolledAt);

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken);

        if (commit.RenamedKeys is { Count: > 0 } renamed)
        {
            await RenameKeysAsync(connection, transaction, commit.SourceId, renamed, cancellationToken);
        }

        await connection.InsertRowsAsync(
            transaction,
            dialect,
            "INSERT INTO seen_items (source_id, item_key, content_hash, headline_fp, published, first_seen, last_seen)",
            """
            ON CONFLICT (source_id, item_key) DO UPDATE SET
                content_hash = excluded.content_hash,
                headline_fp = excluded.headline_fp,
                published = excluded.published,
                last_seen = excluded.last_seen
            """,
            items,
            i => [commit.SourceId, i.Key, i.ContentHash, ItemIdentity.HeadlineFingerprint(i.Headline), dialect.Time(i.Published), polledAt, polledAt],
            cancellationToken);

        // Bounded history: keep the newest N by last-seen time. Everything on this page was just stamped with
        // polledAt, so "last_seen < @polled" protects the current page even if it were longer than N.
        await using (var trim = connection.Command(
            """
            DELETE FROM seen_items
            WHERE source_id = @source AND last_seen < @polled AND last_seen < (
                SELECT last_seen FROM seen_items WHERE source_id = @source ORDER BY last_seen DESC LIMIT 1 OFFSET @offset)
            """, transaction))
        {
            await trim.With("source", commit.SourceId).With("polled", polledAt).With("offset", Math.Max(0, options.SeenHistoryPerSource - 1))
                .ExecuteNonQueryAsync(cancellationToken);
        }

        var recent = items.OrderByDescending(i => i.Published).Take(options.RecentItemsPerSource).ToList();
        await connection.InsertRowsAsync(
            transaction,
            dialect,
            "INSERT INTO recent_items (source_id, item_key, published, headline, body, url, content_hash, last_seen)",
            """
            ON CONFLICT (source_id, item_key) DO UPDATE SET
                published = excluded.published,
                headline = excluded.headline,
                body = excluded.body,
                url = excluded.url,
                content_hash = excluded.content_hash,
                last_seen = excluded.last_seen
            """,
            recent,
            i => [commit.SourceId, i.Key, dialect.Time(i.Published), i.Headline, i.Body, i.Url, i.ContentHash, polledAt],
            cancellationToken);

        await using (var trim = connection.Command(
            """
            DELETE FROM recent_items
            WHERE source_id = @source AND published < (
                SELECT published FROM recent_items WHERE source_id = @source ORDER BY published DESC LIMIT 1 OFFSET @offset)
            """, transaction))
        {
            await trim.With("source", commit.SourceId).With("offset", Math.Max(0, options.RecentItemsPerSource - 1))
                .ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var state = connection.Command(
            """
            INSERT INTO source_state (source_id, etag, last_modified, baseline_at, last_success_at, consecutive_failures, last_error, key_scheme)
            VALUES (@source, @etag, @lastModified, @polled, @polled, 0, NULL, @scheme)
            ON CONFLICT (source_id) DO UPDATE SET
                key_scheme = excluded.key_scheme,
                etag = excluded.etag,
                last_modified = excluded.last_modified,
                baseline_at = COALESCE(source_state.baseline_at, excluded.baseline_at),
                last_success_at = excluded.last_success_at,
                consecutive_failures = 0,
                last_error = NULL
            """, transaction))
        {
            await state.With("source", commit.SourceId).With("etag", commit.ETag).With("lastModified", commit.LastModified).With("polled", polledAt)
                .With("scheme", ItemIdentity.CurrentKeyScheme).ExecuteNonQueryAsync(cancellationToken);
        }

        await connection.InsertRowsAsync(
            transaction,
            dialect,
            "INSERT INTO outbox (subscriber_id, source_id, item_key, published, headline, body, url, query, matched, status, attempts, next_attempt_at, enqueued_at)",
            "ON CONFLICT (subscriber_id, source_id, item_key) DO NOTHING",
            commit.Alerts,
            a => [a.SubscriberId, commit.SourceId, a.Item.Key, dialect.Time(a.Item.Published), a.Item.Headline, a.Item.Body, a.Item.Url, a.Query,
                JsonSerializer.Serialize(a.Matched, StorageJson.Default.IReadOnlyListString), "pending", 0, polledAt, polledAt],
            cancellationToken);

        if (commit.Updates is { Count: > 0 } updates)
        {
            await FollowUpdatesAsync(connection, transaction, commit, updates, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// The outbox rows of updated entries take the entry's new text, time and key, and a new revision (SPEC §4: an alert
    /// follows its entry). A row still pending simply goes out as the entry is now (an edit already waiting is replaced
    /// by the newer text); a row whose alert went out alone since <see cref="PollCommit.EditableSince"/> becomes due
    /// again, now as an edit of its message, with fresh attempts. Failed rows, rows of a combined backlog message and
    /// older alerts stay as they are. A key already taken by another row of the same subscriber is left alone.
    /// </summary>
    private async Task FollowUpdatesAsync(DbConnection connection, DbTransaction transaction, PollCommit commit, IReadOnlyList<ItemUpdate> updates, CancellationToken cancellationToken)
    {
        var polledAt = dialect.Time(commit.PolledAt);
        var editSent = commit.EditableSince is null ? "" : "OR (status = 'sent' AND message_id IS NOT NULL AND sent_at >= @since)";
        foreach (var update in updates.DistinctBy(u => u.PreviousKey, StringComparer.Ordinal))
        {
            var item = update.Item;
            await using var command = connection.Command(
                $"""
                UPDATE outbox SET
                    item_key = @key, published = @published, headline = @headline, body = @body, url = @url,
                    revision = revision + 1,
                    next_attempt_at = CASE WHEN status = 'sent' THEN @polled ELSE next_attempt_at END,
                    attempts = CASE WHEN status = 'sent' THEN 0 ELSE attempts END,
                    status = 'pending'
                WHERE source_id = @source AND item_key = @old AND (status = 'pending' {editSent})
                    AND (item_key = @key OR NOT EXISTS (
                        SELECT 1 FROM outbox o WHERE o.source_id = @source AND o.item_key = @key AND o.subscriber_id = outbox.subscriber_id))
                """, transaction);
            command.With("source", commit.SourceId).With("old", update.PreviousKey).With("key", item.Key)
                .With("published", dialect.Time(item.Published)).With("headline", item.Headline).With("body", item.Body).With("url", item.Url)
                .With("polled", polledAt);
            if (commit.EditableSince is { } since)
            {
                command.With("since", dialect.Time(since));
            }

            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Renames a source's keys of an older scheme (migration 0003): in the seen-set, keeping first and last seen, in
    /// the outbox, so that a later update still finds the alert it edits, and in the recent items. Where several old
    /// keys became one (copies of one entry), the first row renamed stays and the others go.
    /// </summary>
    private static async Task RenameKeysAsync(DbConnection connection, DbTransaction transaction, string sourceId, IReadOnlyDictionary<string, string> renamed, CancellationToken cancellationToken)
    {
        const string notTaken = "NOT EXISTS (SELECT 1 FROM {0} o WHERE o.source_id = @source AND o.item_key = @new{1})";
        string[] statements =
        [
            "UPDATE seen_items SET item_key = @new WHERE source_id = @source AND item_key = @old AND " + string.Format(CultureInfo.InvariantCulture, notTaken, "seen_items", ""),
            "DELETE FROM seen_items WHERE source_id = @source AND item_key = @old",
            "UPDATE recent_items SET item_key = @new WHERE source_id = @source AND item_key = @old AND " + string.Format(CultureInfo.InvariantCulture, notTaken, "recent_items", ""),
            "DELETE FROM recent_items WHERE source_id = @source AND item_key = @old",

            // An alert row of a second copy keeps its old key: it went out, and the unique key must hold.
            "UPDATE outbox SET item_key = @new WHERE source_id = @source AND item_key = @old AND "
                + string.Format(CultureInfo.InvariantCulture, notTaken, "outbox", " AND o.subscriber_id = outbox.subscriber_id"),
        ];

        foreach (var sql in statements)
        {
            foreach (var (oldKey, newKey) in renamed)
            {
                await using var command = connection.Command(sql, transaction);
                await command.With("source", sourceId).With("old", oldKey).With("new", newKey).ExecuteNonQueryAsync(cancellationToken);
            }
        }
    }

    public async Task RecordSuccessAsync(string sourceId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourceId);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            """
            INSERT INTO source_state (source_id, last_success_at, consecutive_failures) VALUES (@source, @at, 0)
            ON CONFLICT (source_id) DO UPDATE SET last_success_at = excluded.last_success_at, consecutive_failures = 0, last_error = NULL
            """);
        await command.With("source", sourceId).With("at", dialect.Time(at)).ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task RecordFailureAsync(string sourceId, string error, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourceId);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            """
            INSERT INTO source_state (source_id, last_failure_at, consecutive_failures, last_error) VALUES (@source, @at, 1, @error)
            ON CONFLICT (source_id) DO UPDATE SET
                last_failure_at = excluded.last_failure_at,
                consecutive_failures = source_state.consecutive_failures + 1,
                last_error = excluded.last_error
            """);
        await command.With("source", sourceId).With("at", dialect.Time(at)).With("error", error ?? "")
            .ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<TickerItem>> GetRecentItemsAsync(string sourceId, int count, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourceId);
        if (count <= 0)
        {
            return [];
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            """
            SELECT item_key, published, headline, body, url, content_hash FROM recent_items
            WHERE source_id = @source ORDER BY published DESC, item_key DESC LIMIT @count
            """).With("source", sourceId).With("count", count);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var items = new List<TickerItem>();
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(new TickerItem(sourceId, reader.GetString(0), dialect.ReadTime(reader, 1), reader.GetString(2), reader.GetString(3),
                reader.GetNullableString(4), reader.GetString(5)));
        }

        return items;
    }
}
