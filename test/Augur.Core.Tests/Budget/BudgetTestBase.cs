using Augur.Backends;
using Augur.Core.Tests.Scheduling;
using Augur.Models;
using Augur.Testing.Fakes;
using Microsoft.Extensions.Time.Testing;
using static Augur.Core.Tests.Engine.EngineHarness;

namespace Augur.Core.Tests.Budget;

/// <summary>
/// What each memory budget test class needs: a model repository, a fake backend, a fake clock and a
/// <see cref="MetricsProbe"/>; all fresh for each test, since xunit creates the class once per test.
/// </summary>
public abstract class BudgetTestBase : IDisposable
{
    private protected TempRepository Repository { get; } = new();

    private protected FakeBackend Backend { get; } = new();

    private protected FakeTimeProvider Time { get; } = new();

    /// <summary>The meter factory of the engines <see cref="BuildAsync(long, Action{InferenceEngineBuilder}?)"/> builds.</summary>
    private protected MetricsProbe Metrics { get; } = new();

    public void Dispose()
    {
        Metrics.Dispose();
        Repository.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Builds (and starts) an engine over <see cref="Backend"/> with a budget of <paramref name="budget"/> bytes.</summary>
    private protected Task<InferenceEngine> BuildAsync(long budget, Action<InferenceEngineBuilder>? configure = null) => BuildAsync(Backend, budget, configure);

    /// <summary>Builds (and starts) an engine over <paramref name="backend"/> (e.g. one that holds loads) with a budget of <paramref name="budget"/> bytes.</summary>
    private protected Task<InferenceEngine> BuildAsync(IModelBackend backend, long budget, Action<InferenceEngineBuilder>? configure = null)
    {
        var builder = new InferenceEngineBuilder().UseModelRepository(Repository.Path).AddBackend(backend)
            .UseTimeProvider(Time).UseMeterFactory(Metrics).UseMemoryBudget(budget)
            // A day between polls: tests poll explicitly.
            .UseModelControl(ModelControlMode.None, TimeSpan.FromDays(1));
        configure?.Invoke(builder);
        return builder.BuildAsync().WaitAsync(TestTimeout);
    }

    /// <summary>Adds echo models named <paramref name="names"/> that report <paramref name="bytes"/> each.</summary>
    private protected void AddModels(long bytes, params string[] names)
    {
        foreach (var name in names)
        {
            Repository.AddModel(name);
            Backend.Register(name, Echo() with { MemoryBytes = bytes });
        }
    }
}
