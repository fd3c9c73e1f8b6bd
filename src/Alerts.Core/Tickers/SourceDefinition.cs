namespace Alerts.Core.Tickers;

/// <summary>A ticker configured by the operator (SPEC §1, §11: <c>Alerts:Sources</c>).</summary>
public sealed class SourceDefinition
{
    public string Id { get; set; } = "";

    /// <summary><c>ntv-liveticker</c>, <c>liveblog-jsonld</c>, <c>feed</c>, or empty to auto-detect.</summary>
    public string? Kind { get; set; }

    public string Url { get; set; } = "";

    /// <summary>Display name used in alerts; defaults to <see cref="Id"/>.</summary>
    public string? Name { get; set; }

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMinutes(1);

    public string TimeZone { get; set; } = "Europe/Berlin";

    public string DisplayName => string.IsNullOrWhiteSpace(Name) ? Id : Name;
}
