namespace Alerts.Core.Diffing;

/// <summary>
/// What the seen-set remembers of an item (SPEC §2): its key, its content hash (a change is an update),
/// and its headline fingerprint (an unseen key with a known fingerprint is the same entry with a corrected time).
/// </summary>
public sealed record SeenItem(string Key, string ContentHash, string HeadlineFingerprint);
