using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Alerts.TestSupport;

/// <summary>Keeps every formatted log line ("Warning Category: message exception"), to check what reaches the logs.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(Lines, categoryName);

    public void Dispose()
    {
    }
}

/// <summary>A logger for one category that writes into a shared list of lines.</summary>
public class CapturingLogger(ConcurrentQueue<string> lines, string category) : ILogger
{
    public ConcurrentQueue<string> Lines => lines;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
}

/// <summary>A typed capturing logger for a class under test that takes an <see cref="ILogger{T}"/>.</summary>
public sealed class CapturingLogger<T>() : CapturingLogger(new ConcurrentQueue<string>(), typeof(T).Name), ILogger<T>;
