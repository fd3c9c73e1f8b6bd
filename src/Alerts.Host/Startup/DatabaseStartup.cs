using System.Globalization;
using Alerts.Storage;
using Alerts.Storage.Migrations;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Alerts.Host.Startup;

/// <summary>
/// Opens the database and migrates its schema once, before any lease is taken (SPEC §9, §10). A database that cannot
/// be opened is a configuration error naming the SQLite file and the user the process runs as, or the PostgreSQL
/// server; a PostgreSQL server that does not answer is waited for (<c>Alerts:Storage:StartupWait</c>), with a log
/// line per attempt, because a database container often starts after the service.
/// </summary>
internal sealed class DatabaseStartup(IServiceProvider services, StorageOptions options, TimeProvider time, ILogger<DatabaseStartup> logger)
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);
    private readonly Lock gate = new();
    private Task? prepared;

    /// <summary>Program runs it before the host starts; the hosted <c>StorageMigration</c> again (a no-op then) for test hosts.</summary>
    public Task PrepareAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            return prepared ??= PrepareCoreAsync(cancellationToken);
        }
    }

    /// <summary>"SQLite file /app/data/alerts.db" or "PostgreSQL at db:5432"; never the password.</summary>
    public string Describe() => options.IsPostgres ? $"PostgreSQL at {PostgresServer()}" : $"SQLite file {SqliteFile()}";

    private async Task PrepareCoreAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<IStorageMigrator>() is not { } migrator)
        {
            return;
        }

        var deadline = time.GetUtcNow() + options.StartupWait;
        while (true)
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var remaining = deadline - time.GetUtcNow();
            if (options.IsPostgres)
            {
                // An unanswered connect must not outlast the wait (Npgsql's own connect timeout is 15 s).
                attempt.CancelAfter(remaining > RetryDelay ? remaining : RetryDelay);
            }

            try
            {
                var version = await migrator.MigrateAsync(attempt.Token);
                logger.LogInformation("Database: {Database}, schema version {Version}; Hangfire jobs {Jobs}", Describe(), version, options.IsPostgres ? "in PostgreSQL (schema hangfire)" : "in memory");
                return;
            }
            catch (Exception e) when (options.IsPostgres && !cancellationToken.IsCancellationRequested && IsUnreachable(e))
            {
                if (time.GetUtcNow() + RetryDelay >= deadline)
                {
                    throw new InvalidConfigurationException(
                        [$"{StorageOptions.SectionName}:ConnectionString: PostgreSQL at {PostgresServer()} did not answer within {options.StartupWait} ({Reason(e)}); is the server running and reachable from here?"]);
                }

                logger.LogWarning(
                    "PostgreSQL at {Server} does not answer ({Reason}); trying again until {Deadline:HH:mm:ss} UTC (Alerts:Storage:StartupWait)",
                    PostgresServer(), Reason(e), deadline.UtcDateTime);
                await Task.Delay(RetryDelay, time, cancellationToken);
            }
            catch (Exception e) when (options.IsPostgres && e is NpgsqlException)
            {
                throw new InvalidConfigurationException(
                    [$"{StorageOptions.SectionName}:ConnectionString: PostgreSQL at {PostgresServer()} refused: {Reason(e)}"]);
            }
            catch (Exception e) when (!options.IsPostgres && e is SqliteException or UnauthorizedAccessException or IOException)
            {
                throw new InvalidConfigurationException(
                    [$"{StorageOptions.SectionName}:ConnectionString: cannot open the SQLite database {SqliteFile()} as {ProcessUser()}: {Reason(e)}{WritableHint()}"]);
            }
        }
    }

    private static bool IsUnreachable(Exception e) =>
        e is OperationCanceledException or TimeoutException
        || (e is NpgsqlException { IsTransient: true } and not PostgresException)
        || e.InnerException is System.Net.Sockets.SocketException or TimeoutException;

    private static string Reason(Exception e) => e switch
    {
        PostgresException pg => $"{pg.SqlState}: {pg.MessageText}",
        SqliteException sqlite => sqlite.Message,
        OperationCanceledException => "no answer",
        _ when e.InnerException is { } inner && e is NpgsqlException => inner.Message,
        _ => e.Message,
    };

    private string PostgresServer()
    {
        var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        return string.Create(CultureInfo.InvariantCulture, $"{builder.Host ?? "localhost"}:{builder.Port}");
    }

    private string SqliteFile()
    {
        var source = new SqliteConnectionStringBuilder(options.ConnectionString).DataSource;
        return string.IsNullOrEmpty(source) || source.StartsWith(':') || source.StartsWith("file:", StringComparison.OrdinalIgnoreCase) ? source : Path.GetFullPath(source);
    }

    /// <summary>The usual cause in a container: a volume owned by root while the image runs as the app user.</summary>
    private string WritableHint()
    {
        var file = SqliteFile();
        if (!Path.IsPathRooted(file))
        {
            return "";
        }

        var directory = Path.GetDirectoryName(file)!;
        if (!Directory.Exists(directory))
        {
            return $" (the directory {directory} does not exist and cannot be created)";
        }

        var probe = Path.Combine(directory, $".alerts-write-test-{Environment.ProcessId}");
        try
        {
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return File.Exists(file) && new FileInfo(file).IsReadOnly ? " (the file is read-only)" : "";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $" (the directory {directory} is not writable by this user; give it to this user, e.g. chown)";
        }
    }

    /// <summary>"user 'app' (uid 1654)": the name alone does not match a volume's numeric owner.</summary>
    internal static string ProcessUser()
    {
        var uid = "";
        try
        {
            if (File.Exists("/proc/self/status"))
            {
                var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
                if (line?.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries) is [_, var real, ..])
                {
                    uid = $" (uid {real})";
                }
            }
        }
        catch (IOException)
        {
        }

        return $"user '{Environment.UserName}'{uid}";
    }
}
