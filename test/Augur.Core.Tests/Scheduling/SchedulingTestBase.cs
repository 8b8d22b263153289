using Augur.Testing.Fakes;
using Microsoft.Extensions.Time.Testing;
using static Augur.Core.Tests.Engine.EngineHarness;
using static Augur.Core.Tests.Scheduling.SchedulingHarness;

namespace Augur.Core.Tests.Scheduling;

/// <summary>
/// What each dynamic batcher test class needs: a model repository, a fake backend, a fake clock and, when asked for,
/// a <see cref="MetricsProbe"/>; all fresh for each test, since xunit creates the class once per test.
/// </summary>
public abstract class SchedulingTestBase : IDisposable
{
    private readonly MetricsProbe? _metrics;

    /// <param name="withMetrics">Whether engines get their meter from a <see cref="MetricsProbe"/> (<see cref="Metrics"/>).</param>
    private protected SchedulingTestBase(bool withMetrics = false)
    {
        _metrics = withMetrics ? new MetricsProbe() : null;
    }

    private protected TempRepository Repository { get; } = new();

    private protected FakeBackend Backend { get; } = new();

    private protected FakeTimeProvider Time { get; } = new();

    /// <summary>The meter factory of the engine <see cref="StartAsync"/> builds, for classes created with metrics.</summary>
    private protected MetricsProbe Metrics =>
        _metrics ?? throw new InvalidOperationException($"{GetType().Name} was created without metrics");

    public void Dispose()
    {
        _metrics?.Dispose();
        Repository.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Writes the config of model "echo" (<see cref="SchedulingHarness.Config"/>), registers <paramref name="spec"/> (an echo model when
    /// null) and builds the engine on <see cref="Time"/>.
    /// </summary>
    private protected Task<InferenceEngine> StartAsync(string batching, int maxBatchSize = 8, FakeModelSpec? spec = null)
    {
        Repository.AddModel("echo").WriteConfig("echo", Config(batching, maxBatchSize));
        Backend.Register("echo", spec ?? Echo());
        return BuildAsync(Repository, Backend, Time, _metrics);
    }
}
