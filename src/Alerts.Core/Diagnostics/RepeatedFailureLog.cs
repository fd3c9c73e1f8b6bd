namespace Alerts.Core.Diagnostics;

/// <summary>
/// Decides which occurrences of a repeated failure deserve a log line: the first one, then at most one per
/// <c>interval</c> carrying the count of those left out. A database that is gone or a flood of forged requests
/// must not turn into hundreds of identical lines a second that bury everything else.
/// </summary>
/// <remarks>Keyed by the caller's text for "the same failure" (usually the error message). At most 256 keys are kept.</remarks>
public sealed class RepeatedFailureLog(TimeSpan interval, TimeProvider time)
{
    private const int MaxKeys = 256;

    private readonly Dictionary<string, Entry> entries = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    /// <summary>
    /// True when this occurrence should be logged; <paramref name="suppressed"/> is how many of the same were
    /// left out since the last line (0 for the first).
    /// </summary>
    public bool ShouldLog(string key, out int suppressed)
    {
        var now = time.GetUtcNow();
        lock (gate)
        {
            if (entries.TryGetValue(key, out var entry) && now - entry.LastLogged < interval)
            {
                entry.Suppressed++;
                suppressed = 0;
                return false;
            }

            if (entry is null)
            {
                if (entries.Count >= MaxKeys)
                {
                    entries.Remove(entries.MinBy(e => e.Value.LastLogged).Key);
                }

                entry = new Entry();
                entries[key] = entry;
            }

            suppressed = entry.Suppressed;
            entry.Suppressed = 0;
            entry.LastLogged = now;
            return true;
        }
    }

    /// <summary>Forgets every key (the failure is over); returns how many occurrences were left out since their last line.</summary>
    public int Clear()
    {
        lock (gate)
        {
            var suppressed = entries.Values.Sum(e => e.Suppressed);
            entries.Clear();
            return suppressed;
        }
    }

    private sealed class Entry
    {
        public DateTimeOffset LastLogged { get; set; }

        public int Suppressed { get; set; }
    }
}
