using Augur.Errors;
using Augur.Fuzz.Targets;
using Augur.Inference;

namespace Augur.Fuzz.Engine;

/// <summary>
/// An <see cref="InferenceEngine"/> serving <see cref="FuzzModel"/>, so decoded requests take the path they take in the
/// server: the engine's validator, then (when valid) the scheduler and the model. Built once per process; its
/// repository folder is deleted as soon as the model is loaded, since nothing reloads it.
/// </summary>
internal sealed class FuzzEngine : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private readonly InferenceEngine _engine;

    private FuzzEngine(InferenceEngine engine)
    {
        _engine = engine;
    }

    public static FuzzEngine Start()
    {
        var repository = Path.Combine(Path.GetTempPath(), "augur-fuzz-" + Guid.NewGuid().ToString("N"));
        var version = Path.Combine(repository, FuzzModel.Name, "1");
        Directory.CreateDirectory(version);
        try
        {
            File.WriteAllText(Path.Combine(version, FuzzModelBackend.FileName), string.Empty);
            File.WriteAllText(Path.Combine(repository, FuzzModel.Name, "config.json"), $$"""{"max_batch_size": {{FuzzModel.MaxBatchSize}}}""");
            var build = new InferenceEngineBuilder()
                .UseModelRepository(repository)
                .AddBackend(new FuzzModelBackend())
                .UseTimeProvider(new FrozenClock())
                .BuildAsync();
            if (!build.Wait(Bound))
            {
                throw new TimeoutException($"the fuzz engine did not start within {Bound.TotalSeconds} s");
            }

            var engine = build.Result;
            if (engine.CheckReady(FuzzModel.Name, null) is { } notReady)
            {
                throw new InvalidOperationException($"the fuzz model did not load: {notReady.Message}");
            }

            return new FuzzEngine(engine);
        }
        finally
        {
            Directory.Delete(repository, recursive: true);
        }
    }

    /// <summary>Runs <paramref name="request"/>; the engine must answer, with a response or an error that is not its own fault.</summary>
    public FuzzOutcome Check(InferenceRequest request)
    {
        var pending = _engine.TryInferAsync(request);
        if (!pending.IsCompleted && !pending.AsTask().Wait(Bound))
        {
            throw new PropertyViolation($"the engine did not answer within {Bound.TotalSeconds} s");
        }

        var result = pending.Result;
        if (!result.IsSuccess)
        {
            if (result.Error.Code == ErrorCode.Internal || string.IsNullOrEmpty(result.Error.Message))
            {
                throw new PropertyViolation($"the engine failed a decoded request with {result.Error}");
            }

            return new FuzzOutcome(FuzzStage.RejectedByEngine, result.Error.ToString());
        }

        var expected = request.RequestedOutputs?.Count ?? 2;
        if (result.Response.Outputs.Count != expected)
        {
            throw new PropertyViolation($"the engine answered with {result.Response.Outputs.Count} outputs, not {expected}");
        }

        return new FuzzOutcome(FuzzStage.Answered);
    }

    public void Dispose()
    {
        if (!_engine.DisposeAsync().AsTask().Wait(Bound))
        {
            throw new TimeoutException($"the fuzz engine did not stop within {Bound.TotalSeconds} s");
        }
    }
}
