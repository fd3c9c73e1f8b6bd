using Alerts.Storage.Migrations;
using Alerts.Storage.Sql;

namespace Alerts.Storage.Tests.Infrastructure;

/// <summary>A database as an older build left it: the migrations up to a version, for upgrade tests.</summary>
internal static class OlderSchema
{
    public static async Task MigrateToAsync(SqlDatabase sql, int version, DateTimeOffset appliedAt)
    {
        await using var connection = await sql.OpenAsync(default);
        await using (var create = connection.Command(sql.Dialect.SchemaVersionTableDdl))
        {
            await create.ExecuteNonQueryAsync();
        }

        foreach (var migration in StorageMigrator.LoadMigrations(sql.Dialect).Where(m => m.Version <= version))
        {
            await using var script = connection.Command(migration.Sql);
            await script.ExecuteNonQueryAsync();
            await using var record = connection.Command("INSERT INTO schema_version (version, name, applied_at) VALUES (@v, @n, @at)")
                .With("v", migration.Version).With("n", migration.Name).With("at", sql.Dialect.Time(appliedAt));
            await record.ExecuteNonQueryAsync();
        }
    }
}
