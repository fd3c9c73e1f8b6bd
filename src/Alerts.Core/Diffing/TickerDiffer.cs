using Alerts.Core.Tickers;

namespace Alerts.Core.Diffing;

/// <summary>The outcome of comparing one page with the seen-set.</summary>
/// <param name="New">Entries never seen before: these are matched and may alert.</param>
/// <param name="Updated">Entries seen before whose text or time changed: recorded, never alerted.</param>
/// <param name="IsBaseline">The first successful poll of the source: everything is recorded, nothing is new.</param>
public sealed record DiffResult(IReadOnlyList<TickerItem> New, IReadOnlyList<TickerItem> Updated, bool IsBaseline);

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

        // Seen entries that are no longer on the page under their own key, by headline fingerprint: only
        // these can have moved to a new key. A seen entry still present under its key is a different entry
        // that happens to share the headline, so an unseen key with that headline is genuinely new.
        var vanishedByFingerprint = new Dictionary<string, List<SeenItem>>(StringComparer.Ordinal);
        foreach (var seen in state.Seen.Values.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            if (pageKeys.Contains(seen.Key))
            {
                continue;
            }

            if (!vanishedByFingerprint.TryGetValue(seen.HeadlineFingerprint, out var list))
            {
                vanishedByFingerprint[seen.HeadlineFingerprint] = list = [];
            }

            list.Add(seen);
        }

        var added = new List<TickerItem>();
        var updated = new List<TickerItem>();
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

            if (TryTakeMovedEntry(vanishedByFingerprint, item))
            {
                updated.Add(item);
            }
            else
            {
                added.Add(item);
            }
        }

        return new DiffResult(added, updated, IsBaseline: false);
    }

    /// <summary>Finds (and uses up, so one old entry explains at most one new key) a vanished entry with the same headline.</summary>
    private static bool TryTakeMovedEntry(Dictionary<string, List<SeenItem>> vanishedByFingerprint, TickerItem item)
    {
        if (!vanishedByFingerprint.TryGetValue(ItemIdentity.HeadlineFingerprint(item.Headline), out var candidates))
        {
            return false;
        }

        // Nearest in time first; an entry whose time the store does not know is accepted, as the fingerprint is all we have.
        var best = -1;
        var bestDistance = TimeSpan.MaxValue;
        for (var i = 0; i < candidates.Count; i++)
        {
            var distance = candidates[i].Published is { } published ? (published - item.Published).Duration() : TimeSpan.Zero;
            if (distance <= TimeCorrectionWindow && distance < bestDistance)
            {
                best = i;
                bestDistance = distance;
            }
        }

        if (best < 0)
        {
            return false;
        }

        candidates.RemoveAt(best);
        return true;
    }
}
