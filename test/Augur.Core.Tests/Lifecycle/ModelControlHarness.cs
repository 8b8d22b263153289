using Augur.Models;
using Augur.Testing.Fakes;
using static Augur.Core.Tests.Engine.EngineHarness;

namespace Augur.Core.Tests.Lifecycle;

/// <summary>Builds engines with model control over a temporary repository of fake models.</summary>
internal static class ModelControlHarness
{
    public static Task<InferenceEngine> BuildAsync(TempRepository repository, FakeBackend backend, ModelControlMode mode, Action<InferenceEngineBuilder>? configure = null, TimeProvider? time = null)
    {
        // A day between polls: the timer never fires on its own in a test; tests poll explicitly or advance a fake clock.
        var builder = new InferenceEngineBuilder().UseModelRepository(repository.Path).AddBackend(backend)
            .UseModelControl(mode, TimeSpan.FromDays(1));
        if (time is not null)
        {
            builder.UseTimeProvider(time);
        }

        configure?.Invoke(builder);
        return builder.BuildAsync().WaitAsync(TestTimeout);
    }

    public static async Task<string> ServedVersion(this InferenceEngine engine, string model) =>
        (await engine.InferOk(EchoRequest(model))).ModelVersion;

    public static IReadOnlyList<RepositoryIndexEntry> Rows(this InferenceEngine engine, string model) =>
        engine.RepositoryIndex().Where(r => r.Name == model).ToArray();
}
