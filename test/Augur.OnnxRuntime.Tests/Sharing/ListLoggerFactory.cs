using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Augur.OnnxRuntime.Tests.Sharing;

/// <summary>Keeps every message logged through it, with its category and event id.</summary>
internal sealed class ListLoggerFactory : ILoggerFactory
{
    private readonly ConcurrentQueue<(string Category, int EventId, string Message)> _messages = new();

    public IReadOnlyList<(string Category, int EventId, string Message)> Messages => _messages.ToArray();

    public ILogger CreateLogger(string categoryName) => new ListLogger(categoryName, _messages);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public void Dispose()
    {
    }

    private sealed class ListLogger(string category, ConcurrentQueue<(string, int, string)> messages) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            messages.Enqueue((category, eventId.Id, formatter(state, exception)));
    }
}
