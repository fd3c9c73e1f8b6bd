using Alerts.Core.Subscriptions;
using Alerts.Storage.Sql;

namespace Alerts.Storage;

internal sealed class KeyValueStore(SqlDatabase database) : IKeyValueStore
{
    public async Task<string?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT value FROM key_values WHERE name = @key").With("key", key);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    public async Task SetAsync(string key, string value, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            "INSERT INTO key_values (name, value) VALUES (@key, @value) ON CONFLICT (name) DO UPDATE SET value = excluded.value")
            .With("key", key).With("value", value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
