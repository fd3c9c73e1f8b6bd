using Alerts.Core.Delivery;
using Alerts.Storage.Sql;

namespace Alerts.Storage;

/// <summary>
/// Named leases in one table. Taking a lease is a single upsert whose update only fires when the lease is free,
/// expired or already ours, so the database decides atomically who holds it; no clock but the caller's is involved.
/// </summary>
internal sealed class LeaseStore(SqlDatabase database) : ILeaseStore
{
    private readonly ISqlDialect dialect = database.Dialect;

    public async Task<bool> TryAcquireAsync(string name, string owner, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            """
            INSERT INTO leases (name, owner, expires_at) VALUES (@name, @owner, @until)
            ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
            WHERE leases.expires_at <= @now OR leases.owner = excluded.owner
            """)
            .With("name", name).With("owner", owner).With("until", dialect.Time(now + duration)).With("now", dialect.Time(now));
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task ReleaseAsync(string name, string owner, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("DELETE FROM leases WHERE name = @name AND owner = @owner")
            .With("name", name).With("owner", owner);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
