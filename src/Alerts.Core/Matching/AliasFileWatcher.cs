using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Alerts.Core.Matching;

/// <summary>
/// Keeps <see cref="Current"/> in step with <c>config/aliases.json</c>: a <see cref="FileSystemWatcher"/> notices
/// edits, a short debounce lets editors finish writing (they often save in several steps), and a file that does
/// not parse is logged and ignored, so the last good table stays in force. Subscribers of <see cref="Changed"/>
/// (for example <see cref="MatcherIndex.ReplaceAliases"/>) get every new table.
/// </summary>
public sealed partial class AliasFileWatcher : IDisposable
{
    private readonly string path;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly TimeSpan debounce;
    private readonly Lock gate = new();
    private FileSystemWatcher? watcher;
    private ITimer? timer;
    private string? lastText;

    public AliasFileWatcher(string path, TimeProvider? timeProvider = null, ILogger<AliasFileWatcher>? logger = null, TimeSpan? debounce = null)
    {
        this.path = Path.GetFullPath(path);
        time = timeProvider ?? TimeProvider.System;
        this.logger = (ILogger?)logger ?? NullLogger.Instance;
        this.debounce = debounce ?? TimeSpan.FromMilliseconds(300);
        Current = AliasTable.Empty;
        Reload();
    }

    /// <summary>How often the file is read when the file system cannot notify changes.</summary>
    public static TimeSpan PollInterval { get; } = TimeSpan.FromSeconds(10);

    public AliasTable Current { get; private set; }

    /// <summary>Raised after a changed file was loaded successfully.</summary>
    public event Action<AliasTable>? Changed;

    /// <summary>Starts watching the file's directory. Without it, only <see cref="Reload"/> reads the file.</summary>
    public AliasFileWatcher Watch()
    {
        var directory = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(directory))
        {
            LogMissing(logger, path);
            return this;
        }

        try
        {
            watcher = new FileSystemWatcher(directory, Path.GetFileName(path))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            watcher.Changed += (_, _) => Schedule();
            watcher.Created += (_, _) => Schedule();
            watcher.Renamed += (_, _) => Schedule();
            watcher.EnableRaisingEvents = true;
        }
        catch (IOException e)
        {
            // inotify limits and some container file systems refuse watchers: fall back to looking now and then.
            watcher?.Dispose();
            watcher = null;
            LogPolling(logger, path, e.Message);
            lock (gate)
            {
                timer = time.CreateTimer(_ => Reload(), null, PollInterval, PollInterval);
            }
        }

        return this;
    }

    private void Schedule()
    {
        lock (gate)
        {
            timer?.Dispose();
            timer = time.CreateTimer(_ => Reload(), null, debounce, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Reads the file now. Returns true when a new table took effect.</summary>
    public bool Reload()
    {
        string text;
        try
        {
            if (!File.Exists(path))
            {
                LogMissing(logger, path);
                return false;
            }

            text = File.ReadAllText(path);
        }
        catch (IOException e)
        {
            // The editor may still hold the file; the next change event tries again.
            LogUnreadable(logger, path, e.Message);
            return false;
        }

        lock (gate)
        {
            if (text == lastText)
            {
                return false;
            }

            AliasTable table;
            try
            {
                table = AliasTable.Parse(text);
            }
            catch (FormatException e)
            {
                LogInvalid(logger, path, e.Message);
                return false;
            }

            lastText = text;
            Current = table;
            LogLoaded(logger, path, table.Groups.Count);

            // Inside the lock so that two quick reloads reach the index in the order they were read.
            Changed?.Invoke(table);
        }

        return true;
    }

    public void Dispose()
    {
        watcher?.Dispose();
        lock (gate)
        {
            timer?.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot watch alias file {Path} ({Reason}); reading it every 10 seconds instead")]
    private static partial void LogPolling(ILogger logger, string path, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Count} alias groups from {Path}")]
    private static partial void LogLoaded(ILogger logger, string path, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alias file {Path} not found; no aliases in force")]
    private static partial void LogMissing(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alias file {Path} could not be read ({Reason}); keeping the previous aliases")]
    private static partial void LogUnreadable(ILogger logger, string path, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Alias file {Path} is invalid ({Reason}); keeping the previous aliases")]
    private static partial void LogInvalid(ILogger logger, string path, string reason);
}
