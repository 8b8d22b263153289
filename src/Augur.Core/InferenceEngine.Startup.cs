namespace Augur;

/// <summary>Start-up: an engine from <see cref="InferenceEngineBuilder.Build"/> loads its models in <see cref="StartAsync"/>.</summary>
public sealed partial class InferenceEngine
{
    private const int NotStarted = 0;
    private const int Starting = 1;
    private const int Started = 2;
    private const string StillLoading = "the engine is still loading its models";
    private int _startState;

    /// <summary>
    /// True once <see cref="StartAsync"/> has loaded the start-up models (engines from
    /// <see cref="InferenceEngineBuilder.BuildAsync"/> are started). Until then the engine is not ready and answers every
    /// model with Unavailable.
    /// </summary>
    public bool IsStarted => Volatile.Read(ref _startState) == Started;

    /// <summary>
    /// Loads the models of the repository (every model; in explicit model control mode, those named at start-up), with
    /// instance creation and warm-up, publishes them, then starts model control (the poll timer in poll mode). Call it
    /// once, on an engine from <see cref="InferenceEngineBuilder.Build"/>. Models that fail are reported through
    /// <see cref="Models"/>; they do not make this throw. Throws <see cref="DirectoryNotFoundException"/> when the
    /// repository folder does not exist, and <see cref="OperationCanceledException"/> when cancelled or when the engine
    /// is disposed meanwhile (the models loaded so far are then released).
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.CompareExchange(ref _startState, Starting, NotStarted) != NotStarted)
        {
            throw new InvalidOperationException("The engine is already started or starting; StartAsync runs once, on an engine from InferenceEngineBuilder.Build().");
        }

        try
        {
            await _controller.StartAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _startState, Started);
        }
        catch
        {
            // Nothing was published: the caller may try again (e.g. once the repository folder exists) or dispose.
            Volatile.Write(ref _startState, NotStarted);
            throw;
        }
    }
}
