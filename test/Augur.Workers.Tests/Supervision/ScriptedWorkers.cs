using System.Collections.Concurrent;
using Augur.Backends;
using Augur.Inference;
using Augur.Models;
using Augur.Workers.Supervision;

namespace Augur.Workers.Tests.Supervision;

/// <summary>
/// A launcher whose workers are in-memory connections the test drives: each launch takes the next scripted outcome
/// (a connection, or an exception), and each call on a connection waits at a gate until the test answers or breaks it.
/// </summary>
internal sealed class ScriptedWorkers(TimeProvider time) : IWorkerLauncher
{
    private readonly ConcurrentQueue<Exception?> _script = new();
    private readonly ConcurrentQueue<ScriptedConnection> _launched = new();
    private readonly ConcurrentQueue<TaskCompletionSource> _holds = new();

    public string Describe => "worker 0 of model 'm' version 1";

    /// <summary>Launches so far (failed ones included).</summary>
    public int Launches => _launches;

    private int _launches;

    public TaskCompletionSource LaunchedAgain { get; private set; } = NewSignal();

    public IReadOnlyList<ScriptedConnection> Connections => _launched.ToArray();

    /// <summary>The next launch throws <paramref name="error"/>.</summary>
    public void FailNextLaunch(Exception error) => _script.Enqueue(error);

    /// <summary>The next launch waits until the returned gate is opened; <see cref="LaunchHeld"/> completes when it waits there.</summary>
    public TaskCompletionSource HoldNextLaunch()
    {
        var gate = NewSignal();
        _holds.Enqueue(gate);
        return gate;
    }

    /// <summary>Completes when a launch waits at a gate of <see cref="HoldNextLaunch"/>.</summary>
    public TaskCompletionSource LaunchHeld { get; } = NewSignal();

    public async Task<LiveWorker> LaunchAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _launches);
        if (_holds.TryDequeue(out var gate))
        {
            LaunchHeld.TrySetResult();
            await gate.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        var signal = LaunchedAgain;
        LaunchedAgain = NewSignal();
        if (_script.TryDequeue(out var error) && error is not null)
        {
            signal.TrySetResult();
            throw error;
        }

        var connection = new ScriptedConnection();
        _launched.Enqueue(connection);
        signal.TrySetResult();
        return new LiveWorker(null, connection, time.GetTimestamp());
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// A worker connection held at a gate: calls complete when the test answers, breaks or ignores them. Its health check
/// answers, or does what <c>ping</c> does.
/// </summary>
internal sealed class ScriptedConnection(Func<CancellationToken, Task>? ping = null) : IWorkerConnection
{
    private readonly ConcurrentQueue<TaskCompletionSource<BatchResult>> _calls = new();

    public static ModelSignature Signature { get; } = new([new TensorSpec("x", Tensors.DataType.Fp32, [-1, 1])], [new TensorSpec("y", Tensors.DataType.Fp32, [-1, 1])]);

    public TaskCompletionSource CallArrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsDisposed { get; private set; }

    public Task<ModelSignature> DescribeAsync(CancellationToken cancellationToken) => Task.FromResult(Signature);

    public async ValueTask<BatchResult> ExecuteAsync(IReadOnlyList<InferenceRequest> batch, CancellationToken cancellationToken)
    {
        var call = new TaskCompletionSource<BatchResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _calls.Enqueue(call);
        CallArrived.TrySetResult();
        return await call.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What its health checks do from now on (null: they answer).</summary>
    public Func<CancellationToken, Task>? Ping { get; set; } = ping;

    /// <summary>Health checks made so far.</summary>
    public int Pings => _pings;

    private int _pings;

    public Task PingAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _pings);
        return Ping?.Invoke(cancellationToken) ?? Task.CompletedTask;
    }

    /// <summary>Answers the oldest waiting call.</summary>
    public void Answer(BatchResult result) => Next().TrySetResult(result);

    /// <summary>Breaks the oldest waiting call, as a dropped connection does.</summary>
    public void Break(string message) => Next().TrySetException(new IOException(message));

    public ValueTask DisposeAsync()
    {
        IsDisposed = true;
        return ValueTask.CompletedTask;
    }

    private TaskCompletionSource<BatchResult> Next() =>
        _calls.TryDequeue(out var call) ? call : throw new InvalidOperationException("no call is waiting");
}
