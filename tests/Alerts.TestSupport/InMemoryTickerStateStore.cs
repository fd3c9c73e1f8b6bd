using System.Collections.Concurrent;
using Alerts.Core.Diffing;
using Alerts.Core.Tickers;

namespace Alerts.TestSupport;

/// <summary>
/// An in-memory <see cref="ITickerStateStore"/>: each commit leaves the seen-set a store would keep (renamed keys
/// carried over, the page's items added), and records the commit; recent items for previews and offers are what
/// the test puts into <see cref="Recent"/>.
/// </summary>
public sealed class InMemoryTickerStateStore : ITickerStateStore
{
    public ConcurrentDictionary<string, SourceState> States { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<PollCommit> Commits { get; } = new();

    /// <summary>Recent items per source, newest first, as the test sets them.</summary>
    public ConcurrentDictionary<string, List<TickerItem>> Recent { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<string> Calls { get; } = new();

    public Task<SourceState?> GetStateAsync(string sourceId, CancellationToken cancellationToken = default) =>
        Task.FromResult(States.GetValueOrDefault(sourceId));

    public Task CommitPollAsync(PollCommit commit, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue($"commit {commit.SourceId}");
        Commits.Enqueue(commit);
        var seen = new Dictionary<string, SeenItem>(StringComparer.Ordinal);
        foreach (var (key, item) in States.GetValueOrDefault(commit.SourceId)?.Seen ?? new Dictionary<string, SeenItem>())
        {
            var renamed = commit.RenamedKeys?.GetValueOrDefault(key) ?? key;
            seen.TryAdd(renamed, item with { Key = renamed });
        }

        foreach (var item in commit.Items)
        {
            seen[item.Key] = SeenItem.Of(item);
        }

        States[commit.SourceId] = new SourceState(seen, commit.ETag, commit.LastModified, commit.PolledAt, 0, null);
        return Task.CompletedTask;
    }

    public Task RecordSuccessAsync(string sourceId, DateTimeOffset at, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task RecordFailureAsync(string sourceId, string error, DateTimeOffset at, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<IReadOnlyList<TickerItem>> GetRecentItemsAsync(string sourceId, int count, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue($"recent {sourceId} {count}");
        return Task.FromResult<IReadOnlyList<TickerItem>>([.. Recent.GetValueOrDefault(sourceId, []).Take(count)]);
    }
}
