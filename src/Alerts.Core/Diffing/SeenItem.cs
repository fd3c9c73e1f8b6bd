namespace Alerts.Core.Diffing;

/// <summary>What the seen-set remembers of an item: its key and content hash (SPEC §2).</summary>
public sealed record SeenItem(string Key, string ContentHash);
