using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Alerts.Core.Matching;

/// <summary>
/// The user regexes of a process, built once per pattern and options and shared by every query that uses them, with
/// their memory bounded whatever subscribers write (issue 13, docs/matching.md "Regex cache").
/// </summary>
/// <remarks>
/// A NonBacktracking regex keeps the automaton states it has built while matching, so its memory grows with use and
/// the text it meets; a regex per subscription made ten thousand copies of one pattern, each growing on its own. Here
/// an entry's size is estimated as what the engine allocated building it and matching with it (after its first
/// evaluations a regex allocates only for new states, so the estimate is close to what it keeps, and never below).
/// Past <see cref="MaxEntries"/> or <see cref="MaxBytes"/> the least recently used entries are dropped; a query that
/// still holds a dropped pattern builds it again at its next evaluation, with an empty automaton. So memory stays
/// bounded at the price of rebuilding when more distinct regexes are in use than the bounds hold.
/// </remarks>
public sealed class RegexCache
{
    public const int DefaultMaxEntries = 10_000;

    public const long DefaultMaxBytes = 128L * 1024 * 1024;

    private readonly Lock gate = new();
    private readonly Dictionary<Key, Entry> entries = [];
    private long totalBytes;
    private long buildCount;
    private long evictionCount;

    public RegexCache(int maxEntries = DefaultMaxEntries, long maxBytes = DefaultMaxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        MaxEntries = maxEntries;
        MaxBytes = maxBytes;
    }

    /// <summary>The cache of queries whose options name none: one per process, with the default bounds.</summary>
    public static RegexCache Shared { get; } = new();

    public int MaxEntries { get; }

    public long MaxBytes { get; }

    /// <summary>Patterns held now.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return entries.Count;
            }
        }
    }

    /// <summary>Estimated bytes of the regexes held now (see the remarks).</summary>
    public long EstimatedBytes => Interlocked.Read(ref totalBytes);

    /// <summary>Regexes built since start (first use, or again after an eviction).</summary>
    public long Builds => Interlocked.Read(ref buildCount);

    /// <summary>Regexes dropped to stay within the bounds.</summary>
    public long Evictions => Interlocked.Read(ref evictionCount);

    /// <summary>Is the pattern held now? (It then parsed and built before, with these options.)</summary>
    public bool Contains(string pattern, RegexOptions options, TimeSpan timeout)
    {
        lock (gate)
        {
            return entries.ContainsKey(new Key(pattern, options, timeout));
        }
    }

    /// <summary>The shared regex for the pattern, built now unless held.</summary>
    /// <exception cref="ArgumentException">The pattern does not parse (as <c>new Regex</c>).</exception>
    /// <exception cref="NotSupportedException">The engine cannot run the pattern (as <c>new Regex</c>).</exception>
    public CachedRegex Get(string pattern, RegexOptions options, TimeSpan timeout)
    {
        var key = new Key(pattern, options, timeout);
        return new CachedRegex(this, key, Find(key));
    }

    internal Entry Find(Key key)
    {
        lock (gate)
        {
            if (entries.TryGetValue(key, out var held))
            {
                held.Touch();
                return held;
            }
        }

        // Built outside the lock: a large pattern takes milliseconds, and other patterns need not wait for it.
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var regex = new Regex(key.Pattern, key.Options, key.Timeout);
        var size = GC.GetAllocatedBytesForCurrentThread() - allocated;
        lock (gate)
        {
            if (entries.TryGetValue(key, out var raced))
            {
                raced.Touch();
                return raced;
            }

            var entry = new Entry(regex, size);
            entries.Add(key, entry);
            Interlocked.Increment(ref buildCount);
            Interlocked.Add(ref totalBytes, size);
            TrimLocked(entry);
            return entry;
        }
    }

    /// <summary>Counts what an entry's engine allocated while matching; trims when the bound is passed.</summary>
    internal void Grew(Entry entry, long bytes)
    {
        if (!entry.Grow(bytes))
        {
            return;
        }

        if (Interlocked.Add(ref totalBytes, bytes) > MaxBytes)
        {
            lock (gate)
            {
                TrimLocked(keep: null);
            }
        }
    }

    private void TrimLocked(Entry? keep)
    {
        if (entries.Count <= MaxEntries && Interlocked.Read(ref totalBytes) <= MaxBytes)
        {
            return;
        }

        // Oldest use first; the entry just built stays even when it alone is over the bound (it is dropped next time).
        foreach (var (key, entry) in entries.OrderBy(e => e.Value.LastUse).ToList())
        {
            if (entries.Count <= MaxEntries && Interlocked.Read(ref totalBytes) <= MaxBytes)
            {
                return;
            }

            if (ReferenceEquals(entry, keep))
            {
                continue;
            }

            entries.Remove(key);
            Interlocked.Add(ref totalBytes, -entry.Evict());
            Interlocked.Increment(ref evictionCount);
        }
    }

    internal readonly record struct Key(string Pattern, RegexOptions Options, TimeSpan Timeout);

    /// <summary>One held regex. Eviction drops the regex; a query still pointing here asks the cache again.</summary>
    internal sealed class Entry(Regex regex, long size)
    {
        private Regex? current = regex;
        private long estimatedSize = size;
        private long lastUse = Stopwatch.GetTimestamp();

        /// <summary>The regex, or null once evicted.</summary>
        public Regex? Regex => Volatile.Read(ref current);

        // A timestamp rather than a linked list: matching threads mark their use without a lock; the order is needed
        // only when trimming, which sorts.
        public long LastUse => Volatile.Read(ref lastUse);

        public void Touch() => Volatile.Write(ref lastUse, Stopwatch.GetTimestamp());

        /// <summary>Adds to the size of a held entry; false when it was evicted meanwhile (its bytes no longer count).</summary>
        public bool Grow(long bytes)
        {
            lock (this)
            {
                if (current is null)
                {
                    return false;
                }

                estimatedSize += bytes;
                return true;
            }
        }

        /// <summary>Drops the regex; returns the bytes it counted.</summary>
        public long Evict()
        {
            lock (this)
            {
                current = null;
                return estimatedSize;
            }
        }
    }
}

/// <summary>
/// A query's handle on a shared regex: it evaluates through the cache's current entry, builds the pattern again if the
/// entry was evicted, and counts what the engine allocated against the entry.
/// </summary>
public sealed class CachedRegex
{
    private readonly RegexCache cache;
    private readonly RegexCache.Key key;
    private RegexCache.Entry held;

    internal CachedRegex(RegexCache cache, RegexCache.Key key, RegexCache.Entry entry)
    {
        this.cache = cache;
        this.key = key;
        held = entry;
    }

    public string Pattern => key.Pattern;

    /// <exception cref="RegexMatchTimeoutException">The call ran out of time.</exception>
    public bool IsMatch(string text)
    {
        var (entry, regex) = Acquire();
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            return regex.IsMatch(text);
        }
        finally
        {
            Charge(entry, allocated);
        }
    }

    /// <summary>Adds (field, index, length) of every non-empty match in <paramref name="text"/>.</summary>
    /// <exception cref="RegexMatchTimeoutException">The call ran out of time.</exception>
    internal void AddMatches(string text, int field, List<Hit> hits)
    {
        var (entry, regex) = Acquire();
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            // EnumerateMatches allocates no Match objects, so what is allocated here is the automaton's growth.
            foreach (var m in regex.EnumerateMatches(text))
            {
                if (m.Length > 0)
                {
                    hits.Add(new Hit(field, m.Index, m.Length));
                }
            }
        }
        finally
        {
            Charge(entry, allocated);
        }
    }

    private (RegexCache.Entry Entry, Regex Regex) Acquire()
    {
        while (true)
        {
            var entry = Volatile.Read(ref held);
            if (entry.Regex is { } regex)
            {
                entry.Touch();
                return (entry, regex);
            }

            // Evicted: whoever asks first builds it again; concurrent callers may both ask, and the cache keeps one.
            Volatile.Write(ref held, cache.Find(key));
        }
    }

    private void Charge(RegexCache.Entry entry, long allocatedBefore)
    {
        var grown = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        if (grown > 0)
        {
            cache.Grew(entry, grown);
        }
    }
}
