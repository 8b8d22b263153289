using Augur.Backends;

namespace Augur.Testing.Fakes;

/// <summary>
/// Wraps a backend so that every model load waits, once it has begun, until the test calls <see cref="Release"/>: an
/// engine's start-up can be held at a known point. The wait ends early when the load is cancelled.
/// </summary>
public sealed class HeldLoadBackend(IModelBackend inner) : IModelBackend
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the first load has begun (and is held).</summary>
    public TaskCompletionSource LoadBegan { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <inheritdoc />
    public string Name => inner.Name;

    /// <inheritdoc />
    public string Platform => inner.Platform;

    /// <inheritdoc />
    public string ExpectedFiles => inner.ExpectedFiles;

    /// <inheritdoc />
    public bool CanLoad(string versionDirectory) => inner.CanLoad(versionDirectory);

    /// <summary>Lets every held load, and every later one, go on.</summary>
    public void Release() => _release.TrySetResult();

    /// <inheritdoc />
    public async ValueTask<IModel> LoadAsync(ModelLoadContext context, CancellationToken cancellationToken)
    {
        LoadBegan.TrySetResult();
        await _release.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return await inner.LoadAsync(context, cancellationToken).ConfigureAwait(false);
    }
}
