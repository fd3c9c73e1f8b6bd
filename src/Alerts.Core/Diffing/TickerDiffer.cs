using Alerts.Core.Tickers;

namespace Alerts.Core.Diffing;

/// <summary>The outcome of comparing one page with the seen-set.</summary>
/// <param name="New">Entries never seen before: these are matched and may alert.</param>
/// <param name="Updated">Entries seen before whose text or time changed: recorded, never alerted.</param>
/// <param name="IsBaseline">The first successful poll of the source: everything is recorded, nothing is new.</param>
/// <param name="MovedFrom">
/// For an updated entry whose key changed with it (a corrected time or headline): its key now → the key it was seen under.
/// </param>
public sealed record DiffResult(IReadOnlyList<TickerItem> New, IReadOnlyList<TickerItem> Updated, bool IsBaseline, IReadOnlyDictionary<string, string>? MovedFrom = null)
{
    /// <summary>The updated entries, each with the key it was seen (and alerted) under, for its alerts to follow it.</summary>
    public IReadOnlyList<ItemUpdate> Updates =>
        [.. Updated.Select(i => new ItemUpdate(i, MovedFrom?.GetValueOrDefault(i.Key) ?? i.Key))];
}

/// <summary>Decides which entries of a page are new (SPEC §2). Pure: no clock, no I/O.</summary>
public static class TickerDiffer
{
    /// <summary>
    /// How far apart in time an unseen key and a vanished seen entry with the same headline may be for the
    /// unseen key to count as the same entry with a corrected time. A correction fixes a mistyped hour; a
    /// headline repeated the next day ("Luftalarm in Kiew") is a new entry and must alert.
    /// </summary>
    public static readonly TimeSpan TimeCorrectionWindow = TimeSpan.FromHours(12);

    /// <param name="page">The items of the current page, in page order (newest first).</param>
    /// <param name="state">The stored state; null before the first successful poll.</param>
    public static DiffResult Diff(IReadOnlyList<TickerItem> page, SourceState? state)
    {
        ArgumentNullException.ThrowIfNull(page);

        // A key twice on one page (a feed repeating a guid) is one entry: the first occurrence, the one
        // nearest the top, wins, so the result never depends on anything but the page order.
        var items = new List<TickerItem>(page.Count);
        var pageKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in page)
        {
            if (pageKeys.Add(item.Key))
            {
                items.Add(item);
            }
        }

        if (state is null)
        {
            return new DiffResult([], [], IsBaseline: true);
        }

        // Seen entries that are no longer on the page under their own key: only these can have moved to a new
        // key. A seen entry still present under its key is a different entry that happens to share the headline
        // or the minute, so an unseen key with that headline or minute is genuinely new.
        var vanishedByFingerprint = new Dictionary<string, List<SeenItem>>(StringComparer.Ordinal);
        var vanishedByMinute = new Dictionary<long, List<SeenItem>>();
        foreach (var seen in state.Seen.Values.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            if (pageKeys.Contains(seen.Key))
            {
                continue;
            }

            AddTo(vanishedByFingerprint, seen.HeadlineFingerprint, seen);
            if (seen.Published is { } published)
            {
                AddTo(vanishedByMinute, Minute(published), seen);
            }
        }

        var added = new List<TickerItem>();
        var updated = new List<TickerItem>();
        var used = new HashSet<string>(StringComparer.Ordinal); // One old entry explains at most one new key.
        var movedFrom = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (state.Seen.TryGetValue(item.Key, out var seen))
            {
                if (!string.Equals(seen.ContentHash, item.ContentHash, StringComparison.Ordinal))
                {
                    updated.Add(item);
                }

                continue;
            }

            if ((TryTakeMovedEntry(vanishedByFingerprint, item, used) ?? TryTakeRenamedEntry(vanishedByMinute, item, used)) is { } previousKey)
            {
                updated.Add(item);
                movedFrom[item.Key] = previousKey;
            }
            else
            {
                added.Add(item);
            }
        }

        return new DiffResult(added, updated, IsBaseline: false, movedFrom);
    }

    /// <summary>
    /// A headline edited under the same time: the key (time of day and headline, <see cref="ItemIdentity.EntryKey(TimeOnly, string)"/>)
    /// changed, the instant did not. A vanished entry of exactly that minute is the same entry with its typo fixed
    /// (the first by key, used up). A minute apart, or a day apart (the same time of day on another day), is another entry.
    /// Returns the key it was seen under, or null.
    /// </summary>
    private static string? TryTakeRenamedEntry(Dictionary<long, List<SeenItem>> vanishedByMinute, TickerItem item, HashSet<string> used)
    {
        if (!vanishedByMinute.TryGetValue(Minute(item.Published), out var candidates))
        {
            return null;
        }

        var candidate = candidates.Find(c => !used.Contains(c.Key));
        return candidate is not null && used.Add(candidate.Key) ? candidate.Key : null;
    }

    private static long Minute(DateTimeOffset instant) => instant.UtcTicks / TimeSpan.TicksPerMinute;

    private static void AddTo<TKey>(Dictionary<TKey, List<SeenItem>> index, TKey key, SeenItem seen)
        where TKey : notnull
    {
        if (!index.TryGetValue(key, out var list))
        {
            index[key] = list = [];
        }

        list.Add(seen);
    }

    /// <summary>Finds (and uses up) a vanished entry with the same headline, the same entry with a corrected time; returns its key, or null.</summary>
    private static string? TryTakeMovedEntry(Dictionary<string, List<SeenItem>> vanishedByFingerprint, TickerItem item, HashSet<string> used)
    {
        if (!vanishedByFingerprint.TryGetValue(ItemIdentity.HeadlineFingerprint(item.Headline), out var candidates))
        {
            return null;
        }

        // Nearest in time first; an entry whose time the store does not know is accepted, as the fingerprint is all we have.
        var best = -1;
        var bestDistance = TimeSpan.MaxValue;
        for (var i = 0; i < candidates.Count; i++)
        {
            var distance = candidates[i].Published is { } published ? (published - item.Published).Duration() : TimeSpan.Zero;
            if (distance <= TimeCorrectionWindow && distance < bestDistance && !used.Contains(candidates[i].Key))
            {
                best = i;
                bestDistance = distance;
            }
        }

        if (best < 0)
        {
            return null;
        }

        used.Add(candidates[best].Key);
        return candidates[best].Key;
    }
}
