using System.Collections.Concurrent;
using Alerts.Core.Subscriptions;

namespace Alerts.TestSupport;

/// <summary>A thread-safe in-memory <see cref="IKeyValueStore"/> that counts its writes.</summary>
public sealed class InMemoryKeyValueStore : IKeyValueStore
{
    private int writes;

    public ConcurrentDictionary<string, string> Values { get; } = new(StringComparer.Ordinal);

    public int Writes => Volatile.Read(ref writes);

    public Task<string?> GetAsync(string key, CancellationToken cancellationToken = default) =>
        Task.FromResult(Values.GetValueOrDefault(key));

    public Task SetAsync(string key, string value, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref writes);
        Values[key] = value;
        return Task.CompletedTask;
    }
}
