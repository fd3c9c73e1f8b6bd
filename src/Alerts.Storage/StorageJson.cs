using System.Text.Json.Serialization;

namespace Alerts.Storage;

/// <summary>Source-generated JSON for the matched-words column (no reflection, trimming-safe).</summary>
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(List<string>))]
internal sealed partial class StorageJson : JsonSerializerContext;
