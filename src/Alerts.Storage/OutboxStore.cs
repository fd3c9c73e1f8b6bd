using System.Text.Json;
using Alerts.Core.Delivery;
using Alerts.Storage.Sql;

namespace Alerts.Storage;

/// <summary>
/// The durable outbox. A claim stamps the row with its owner and pushes <c>next_attempt_at</c> to the end of the lease,
/// so "due" is one indexed range (<c>status = 'pending' AND next_attempt_at &lt;= now</c>) that also covers rows whose
/// claimer died: their lease ends and they are due again.
/// </summary>
internal sealed class OutboxStore(SqlDatabase database) : IOutboxStore, IOutboxRetention
{
    private const string Columns = "id, subscriber_id, source_id, item_key, published, headline, body, url, query, matched, enqueued_at, attempts, message_chat, message_id, revision";

    private readonly ISqlDialect dialect = database.Dialect;

    public async Task<IReadOnlyList<OutboxAlert>> ClaimDueAsync(string owner, int max, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);

        var until = dialect.Time(now + lease);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken);
        await using var command = connection.Command(
            $"""
            UPDATE outbox SET lease_owner = @owner, lease_until = @until, next_attempt_at = @until
            WHERE id IN (
                SELECT id FROM outbox
                WHERE status = 'pending' AND next_attempt_at <= @now
                ORDER BY next_attempt_at, id
                LIMIT @max{dialect.SkipLockedClause})
            RETURNING {Columns}
            """, transaction)
            .With("owner", owner).With("until", until).With("now", dialect.Time(now)).With("max", max);

        var claimed = new List<OutboxAlert>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                claimed.Add(new OutboxAlert(
                    reader.GetInt64(0),
                    reader.GetString(1),
                    reader.GetString(2),
                    reader.GetString(3),
                    dialect.ReadTime(reader, 4),
                    reader.GetString(5),
                    reader.GetString(6),
                    reader.GetNullableString(7),
                    reader.GetString(8),
                    JsonSerializer.Deserialize(reader.GetString(9), StorageJson.Default.ListString) ?? [],
                    dialect.ReadTime(reader, 10),
                    reader.GetInt32(11),
                    reader.IsDBNull(12) || reader.IsDBNull(13) ? null : new PlatformMessage(reader.GetString(12), reader.GetString(13)),
                    reader.GetInt32(14)));
            }
        }

        await transaction.CommitAsync(cancellationToken);

        // RETURNING gives no order; the oldest go first.
        claimed.Sort((a, b) => a.Id.CompareTo(b.Id));
        return claimed;
    }

    public async Task<int> ReleaseClaimsAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            """
            UPDATE outbox SET next_attempt_at = @now, lease_owner = NULL, lease_until = NULL
            WHERE status = 'pending' AND lease_owner IS NOT NULL
            """)
            .With("now", dialect.Time(now));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task MarkSentAsync(long id, DateTimeOffset at, SentReceipt? receipt = null, CancellationToken cancellationToken = default)
    {
        // Only a row with a message can become an edit; without one (a combined message, a channel that returns no id)
        // an update during the send must not make it due again, or it would go out a second time as a new alert.
        var editable = receipt?.Message is not null;
        (string, object?)[] parameters = editable
            ? [("id", id), ("at", dialect.Time(at)), ("revision", receipt!.Revision), ("chat", receipt.Message!.Chat), ("message", receipt.Message.Id)]
            : [("id", id), ("at", dialect.Time(at))];
        return ExecuteAsync(
            $"""
            UPDATE outbox SET
                status = {(editable ? "CASE WHEN revision = @revision THEN 'sent' ELSE 'pending' END" : "'sent'")},
                next_attempt_at = @at,
                sent_at = COALESCE(sent_at, @at),
                edited_at = CASE WHEN message_id IS NULL THEN edited_at ELSE @at END,
                {(editable ? "message_chat = @chat, message_id = @message," : "")}
                attempts = attempts + 1, last_error = NULL, lease_owner = NULL, lease_until = NULL
            WHERE id = @id
            """,
            cancellationToken,
            parameters);
    }

    public Task MarkFailedAsync(long id, string reason, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        ExecuteAsync(
            """
            UPDATE outbox SET
                status = CASE WHEN message_id IS NULL THEN 'failed' ELSE 'sent' END,
                failed_at = CASE WHEN message_id IS NULL THEN @at ELSE failed_at END,
                attempts = attempts + 1, last_error = @reason, lease_owner = NULL, lease_until = NULL
            WHERE id = @id
            """,
            cancellationToken,
            ("id", id),
            ("at", dialect.Time(at)),
            ("reason", reason ?? ""));

    public Task RescheduleAsync(long id, DateTimeOffset notBefore, string reason, bool countsAsAttempt, CancellationToken cancellationToken = default) =>
        ExecuteAsync(
            """
            UPDATE outbox SET next_attempt_at = @notBefore, attempts = attempts + @increment, last_error = @reason, lease_owner = NULL, lease_until = NULL
            WHERE id = @id AND status = 'pending'
            """,
            cancellationToken,
            ("id", id),
            ("notBefore", dialect.Time(notBefore)),
            ("increment", countsAsAttempt ? 1 : 0),
            ("reason", reason ?? ""));

    public async Task<IReadOnlyDictionary<OutboxStatus, long>> CountByStatusAsync(CancellationToken cancellationToken = default)
    {
        var counts = new Dictionary<OutboxStatus, long> { [OutboxStatus.Pending] = 0, [OutboxStatus.Sent] = 0, [OutboxStatus.Failed] = 0 };
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT status, COUNT(*) FROM outbox GROUP BY status");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var status = reader.GetString(0) switch
            {
                "pending" => OutboxStatus.Pending,
                "sent" => OutboxStatus.Sent,
                "failed" => OutboxStatus.Failed,
                var other => throw new InvalidOperationException($"Unknown outbox status '{other}'."),
            };
            counts[status] = reader.GetInt64(1);
        }

        return counts;
    }

    public async Task<int> PurgeFinishedAsync(DateTimeOffset finishedBefore, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            "DELETE FROM outbox WHERE (status = 'sent' AND sent_at < @before) OR (status = 'failed' AND failed_at < @before)")
            .With("before", dialect.Time(finishedBefore));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(sql);
        foreach (var (name, value) in parameters)
        {
            command.With(name, value);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
