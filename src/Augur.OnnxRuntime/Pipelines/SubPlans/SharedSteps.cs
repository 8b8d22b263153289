namespace Augur.OnnxRuntime.Pipelines;

/// <summary>
/// The shared featurizer steps of the pipelines loaded through one backend, by fingerprint (design note 0016). A loaded
/// pipeline version leases the steps of its prefix; a step lives while any version leases it, so a hot swap (the new
/// version loads before the old one goes) keeps it, and its counts, alive.
/// </summary>
internal sealed class SharedSteps
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Entry> _steps = new(StringComparer.Ordinal);

    /// <summary>The step of <paramref name="fingerprint"/> for <paramref name="user"/> (e.g. <c>sentiment version 1</c>), made from <paramref name="step"/> if no one holds it.</summary>
    public Lease Acquire(string fingerprint, FeaturizerStep step, string user)
    {
        lock (_gate)
        {
            if (!_steps.TryGetValue(fingerprint, out var entry))
            {
                entry = new Entry(new SharedStep(fingerprint, step.Featurizer, $"{step.Featurizer.Kind} {step.Settings}"));
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
            if (_steps.TryGetValue(step.Fingerprint, out var entry) && entry.Step == step && entry.Users.Remove(user) && entry.Users.Count == 0)
            {
                _steps.Remove(step.Fingerprint);
            }
        }
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
