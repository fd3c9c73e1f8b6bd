using Microsoft.Extensions.Options;

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

    /// <summary>
    /// How long start-up keeps trying to reach a PostgreSQL server that does not answer (a database container that
    /// starts later than the service) before it stops with a message naming the server.
    /// </summary>
    public TimeSpan StartupWait { get; set; } = TimeSpan.FromSeconds(30);

    public bool IsPostgres =>
        string.Equals(Provider?.Trim(), Postgres, StringComparison.OrdinalIgnoreCase)
        || string.Equals(Provider?.Trim(), "PostgreSQL", StringComparison.OrdinalIgnoreCase);

    public bool IsSqlite => string.Equals(Provider?.Trim(), Sqlite, StringComparison.OrdinalIgnoreCase);
}

/// <summary>Checks <see cref="StorageOptions"/>; every message names its configuration key (SPEC §10).</summary>
public sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var problems = Problems(options);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    public static IReadOnlyList<string> Problems(StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string key = StorageOptions.SectionName;
        var problems = new List<string>();
        if (!options.IsSqlite && !options.IsPostgres)
        {
            problems.Add($"{key}:Provider is '{options.Provider}'; it must be '{StorageOptions.Sqlite}' or '{StorageOptions.Postgres}'.");
        }

        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            problems.Add($"{key}:ConnectionString is empty; set it for the '{options.Provider}' provider.");
        }
        else
        {
            try
            {
                // Parsed now so that a typo stops start-up here rather than at the first query. The drivers' messages
                // name the keyword at fault, never a password.
                _ = options.IsPostgres
                    ? new Npgsql.NpgsqlConnectionStringBuilder(options.ConnectionString).Host
                    : new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(options.ConnectionString).DataSource;
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
            {
                problems.Add($"{key}:ConnectionString is not a valid {(options.IsPostgres ? "Npgsql" : "SQLite")} connection string: {e.Message}");
            }
        }

        if (options.SeenHistoryPerSource < 100)
        {
            problems.Add($"{key}:SeenHistoryPerSource is {options.SeenHistoryPerSource}; it must be at least 100, far more than a page holds.");
        }

        if (options.RecentItemsPerSource < 1)
        {
            problems.Add($"{key}:RecentItemsPerSource must be at least 1.");
        }

        if (options.StartupWait < TimeSpan.Zero)
        {
            problems.Add($"{key}:StartupWait must not be negative.");
        }

        return problems;
    }
}
