using Alerts.Core.Diffing;
using Alerts.Core.Tickers;

namespace Alerts.Host.Polling;

/// <summary>Which parsed items are new against the stored seen-set (SPEC §2).</summary>
internal static class NewItems
{
    /// <summary>Nothing is new on the baseline poll; an unseen key with a known headline fingerprint is a corrected entry, not a new one.</summary>
    public static IReadOnlyList<TickerItem> Find(SourceState? state, IReadOnlyList<TickerItem> items)
    {
        if (state is null)
        {
            return [];
        }

        var fingerprints = state.Seen.Values.Select(s => s.HeadlineFingerprint).ToHashSet(StringComparer.Ordinal);
        var result = new List<TickerItem>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (state.Seen.ContainsKey(item.Key) || !keys.Add(item.Key))
            {
                continue;
            }

            if (fingerprints.Add(ItemIdentity.HeadlineFingerprint(item.Headline)))
            {
                result.Add(item);
            }
        }

        return result;
    }
}
