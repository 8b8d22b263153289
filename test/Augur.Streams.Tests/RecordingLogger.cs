using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Augur.Streams.Tests;

/// <summary>Keeps what a consumer logs, so a test can wait (bounded) for the consumer to report a state by its event id.</summary>
internal sealed class RecordingLogger : ILogger<RedisStreamConsumer>
{
    /// <summary>StreamLog.Full: every slot is taken, so the consumer reads nothing until a message in flight finishes.</summary>
    public const int Full = 409;

    private readonly ConcurrentDictionary<int, TaskCompletionSource> _seen = new();
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    /// <summary>Completes once an event with <paramref name="eventId"/> has been logged.</summary>
    public async Task WaitForAsync(int eventId)
    {
        try
        {
            await Seen(eventId).Task.WaitAsync(StreamHarness.TestTimeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no event {eventId} was logged; the log:\n{string.Join('\n', _lines)}");
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        _lines.Enqueue($"{eventId.Id} {formatter(state, exception)}");
        Seen(eventId.Id).TrySetResult();
    }

    private TaskCompletionSource Seen(int eventId) => _seen.GetOrAdd(eventId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
