using Alerts.Core.Subscriptions;
using Alerts.Storage.Sql;

namespace Alerts.Storage;

/// <summary>
/// Small named values: the adapters' settings (kept until overwritten) and button offers and undo data (with an
/// expiry). An expired value reads as absent; expired rows are deleted whenever a value with an expiry is written,
/// so that they never pile up, with no job of their own.
/// </summary>
internal sealed class KeyValueStore(SqlDatabase database, TimeProvider time) : IKeyValueStore
{
    private readonly ISqlDialect dialect = database.Dialect;

    public async Task<string?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT value FROM key_values WHERE name = @key AND (expires_at IS NULL OR expires_at > @now)")
            .With("key", key).With("now", dialect.Time(time.GetUtcNow()));
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    public async Task SetAsync(string key, string value, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            "INSERT INTO key_values (name, value, expires_at) VALUES (@key, @value, NULL) ON CONFLICT (name) DO UPDATE SET value = excluded.value, expires_at = NULL")
            .With("key", key).With("value", value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task SetAsync(string key, string value, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken);
        await using (var purge = connection.Command("DELETE FROM key_values WHERE expires_at IS NOT NULL AND expires_at <= @now", transaction))
        {
            await purge.With("now", dialect.Time(time.GetUtcNow())).ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var command = connection.Command(
            "INSERT INTO key_values (name, value, expires_at) VALUES (@key, @value, @expires) ON CONFLICT (name) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at",
            transaction))
        {
            await command.With("key", key).With("value", value).With("expires", dialect.Time(expiresAt)).ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }
}
