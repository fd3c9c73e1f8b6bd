using Alerts.Core.Tickers;

namespace Alerts.Core.Diffing;

/// <summary>
/// What the seen-set remembers of an item (SPEC §2): its key, its content hash (a change is an update),
/// and its headline fingerprint (an unseen key with a known fingerprint is the same entry with a corrected time).
/// <paramref name="Published"/> (when the store knows it) limits that fingerprint rule to entries close in time,
/// so that a headline repeated days later ("Luftalarm in Kiew") is still a new entry.
/// </summary>
public sealed record SeenItem(string Key, string ContentHash, string HeadlineFingerprint, DateTimeOffset? Published = null)
{
    /// <summary>What a commit records of an item on the page.</summary>
    public static SeenItem Of(TickerItem item) =>
        new(item.Key, item.ContentHash, ItemIdentity.HeadlineFingerprint(item.Headline), item.Published);
}
