using System.Collections.Concurrent;
using Alerts.Core.Subscriptions;

namespace Alerts.TestSupport;

/// <summary>
/// A thread-safe in-memory <see cref="IKeyValueStore"/> that counts its writes. A value written with an expiry reads as
/// absent from then on, by <paramref name="time"/> (the system clock by default), as the real store does.
/// </summary>
public sealed class InMemoryKeyValueStore(TimeProvider? time = null) : IKeyValueStore
{
    private readonly TimeProvider time = time ?? TimeProvider.System;
    private int writes;

    public ConcurrentDictionary<string, string> Values { get; } = new(StringComparer.Ordinal);

    /// <summary>When each value written with an expiry expires.</summary>
    public ConcurrentDictionary<string, DateTimeOffset> Expiries { get; } = new(StringComparer.Ordinal);

    public int Writes => Volatile.Read(ref writes);

    public Task<string?> GetAsync(string key, CancellationToken cancellationToken = default) =>
        Task.FromResult(Expiries.TryGetValue(key, out var expires) && expires <= time.GetUtcNow() ? null : Values.GetValueOrDefault(key));

    public Task SetAsync(string key, string value, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref writes);
        Expiries.TryRemove(key, out _);
        Values[key] = value;
        return Task.CompletedTask;
    }

    public Task SetAsync(string key, string value, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref writes);
        Expiries[key] = expiresAt;
        Values[key] = value;
        return Task.CompletedTask;
    }
}
