using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Payments.TestSupport;

/// <summary>One log line and the values of the scopes it was written in (the trace ids among them).</summary>
public sealed record ScopedLogEntry(string Category, LogLevel Level, string Message, IReadOnlyDictionary<string, string?> Scope);

/// <summary>
/// Every log line a host writes with its scopes, read the way scope-printing providers (the JSON console) read them:
/// through the logger factory's scope provider, which adds the current span's ids when activity tracking is on.
/// </summary>
public sealed class LogsWithScopes : ILoggerProvider, ISupportExternalScope
{
    readonly ConcurrentQueue<ScopedLogEntry> _entries = new();
    IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyList<ScopedLogEntry> Entries => _entries.ToList();

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

    public void Dispose()
    {
    }

    sealed class Logger(string category, LogsWithScopes owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scope = new Dictionary<string, string?>();
            owner._scopes.ForEachScope((value, values) =>
            {
                if (value is IEnumerable<KeyValuePair<string, object?>> pairs)
                    foreach (var (key, item) in pairs)
                        values[key] = item?.ToString();
            }, scope);
            owner._entries.Enqueue(new ScopedLogEntry(category, logLevel, formatter(state, exception), scope));
        }
    }
}
