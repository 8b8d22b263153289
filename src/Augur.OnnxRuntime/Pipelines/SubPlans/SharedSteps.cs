namespace Augur.OnnxRuntime.Pipelines;

/// <summary>
/// The shared steps of the models loaded through one backend, by fingerprint: pipelines' featurizers (design note 0016)
/// or ONNX graph prefixes (design note 0018). A loaded version leases the steps of its prefix; a step lives while any
/// version leases it, so a hot swap (the new version loads before the old one goes) keeps it, and its counts, alive.
/// A step whose computation holds native resources is disposed when its last lease goes.
/// </summary>
internal sealed class SharedSteps
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Entry> _steps = new(StringComparer.Ordinal);

    /// <summary>The step of <paramref name="fingerprint"/> for <paramref name="user"/> (e.g. <c>sentiment version 1</c>), made from <paramref name="step"/> if no one holds it.</summary>
    public Lease Acquire(string fingerprint, FeaturizerStep step, string user) =>
        Acquire(fingerprint, () => new SharedStep(fingerprint, new FeaturizerComputation(step.Featurizer), $"{step.Featurizer.Kind} {step.Settings}"), user);

    /// <summary>The step of <paramref name="fingerprint"/> for <paramref name="user"/>, made by <paramref name="create"/> (under the registry's lock) if no one holds it.</summary>
    public Lease Acquire(string fingerprint, Func<SharedStep> create, string user)
    {
        lock (_gate)
        {
            if (!_steps.TryGetValue(fingerprint, out var entry))
            {
                entry = new Entry(create());
                _steps.Add(fingerprint, entry);
            }

            entry.Users.Add(user);
            return new Lease(this, entry.Step, user);
        }
    }

    /// <summary>Every step held, with the versions that hold it (a version holding it twice, from two steps, is listed twice).</summary>
    public IReadOnlyList<(SharedStep Step, IReadOnlyList<string> Users)> Snapshot()
    {
        lock (_gate)
        {
            return _steps.Values.Select(e => (e.Step, (IReadOnlyList<string>)[.. e.Users])).ToArray();
        }
    }

    /// <summary>The versions holding the step of <paramref name="fingerprint"/>; none when it is not held.</summary>
    public IReadOnlyList<string> UsersOf(string fingerprint)
    {
        lock (_gate)
        {
            return _steps.TryGetValue(fingerprint, out var entry) ? [.. entry.Users] : [];
        }
    }

    private void Release(SharedStep step, string user)
    {
        lock (_gate)
        {
            if (!_steps.TryGetValue(step.Fingerprint, out var entry) || entry.Step != step || !entry.Users.Remove(user) || entry.Users.Count > 0)
            {
                return;
            }

            _steps.Remove(step.Fingerprint);
        }

        // The last user's instances are gone (a model is disposed after them), so no call is under way.
        (step.Computation as IDisposable)?.Dispose();
    }

    private sealed record Entry(SharedStep Step)
    {
        public List<string> Users { get; } = [];
    }

    /// <summary>One version's hold on a shared step; disposing it lets go, once.</summary>
    internal sealed class Lease(SharedSteps owner, SharedStep step, string user) : IDisposable
    {
        private int _released;

        public SharedStep Step { get; } = step;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release(Step, user);
            }
        }
    }
}
