namespace Alerts.Storage;

/// <summary>Where the project's own data lives (SPEC §9, §11: <c>Alerts:Storage</c>).</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Alerts:Storage";

    public const string Sqlite = "Sqlite";

    public const string Postgres = "Postgres";

    /// <summary><c>Sqlite</c> (default) or <c>Postgres</c>, case-insensitive.</summary>
    public string Provider { get; set; } = Sqlite;

    public string ConnectionString { get; set; } = "Data Source=data/alerts.db";

    /// <summary>How many seen items are remembered per source; always far more than a page holds.</summary>
    public int SeenHistoryPerSource { get; set; } = 5000;

    /// <summary>How many recent items are kept per source for <c>/preview</c>.</summary>
    public int RecentItemsPerSource { get; set; } = 50;
}
