namespace Augur.Cli.Commands.Serve;

/// <summary>
/// How <c>augur serve</c> configures its engine, one builder call per setting. The host builds the engine from this
/// (<see cref="Server.AugurHost.Create(Action{InferenceEngineBuilder}, System.Net.IPAddress, int, Action{Server.AugurServerOptions}?, Action{Microsoft.Extensions.Logging.ILoggingBuilder}?, int?)"/>)
/// with its own logging, meter factory and clock, and loads the models once the ports are bound.
/// </summary>
internal static class ServeEngine
{
    public static void Configure(InferenceEngineBuilder engine, ServeSettings settings, Caching.ResponseCacheOptions responseCache)
    {
        engine.UseModelRepository(settings.ModelRepository!);
        engine.UseOnnxRuntime(onnx =>
        {
            onnx.IntraOpThreads = settings.IntraOpThreads;
            onnx.ShareWeights = settings.ShareWeights;
            onnx.FusePipelines = settings.FusePipelines;
            onnx.ShareSubPlans = settings.ShareSubPlans;
            onnx.GlobalThreadPool = settings.GlobalThreadPool;
            onnx.SharedArena = settings.SharedArena;
            onnx.GlobalIntraOpThreads = settings.GlobalIntraOpThreads;
            onnx.GlobalThreadPoolSpinning = settings.GlobalThreadPoolSpinning;
            onnx.SparseHeads = settings.SparseHeads;
        });
        // Models with "isolation": "process" run in `augur worker` processes started from this same program.
        engine.UseProcessIsolation();
        engine.UseModelControl(settings.ModelControlMode, TimeSpan.FromSeconds(settings.PollIntervalSeconds));
        engine.LoadModelsAtStartup([.. settings.LoadModels]);
        engine.RequireModels([.. settings.RequiredModels]);
        if (settings.MemoryBudget > 0)
        {
            engine.UseMemoryBudget(settings.MemoryBudget);
        }
        if (settings.DefaultTimeoutMilliseconds > 0)
        {
            engine.UseDefaultTimeout(TimeSpan.FromMilliseconds(settings.DefaultTimeoutMilliseconds));
        }

        engine.UseComputeThreads(settings.ComputeThreadMicroseconds < 0 ? null : TimeSpan.FromMicroseconds(settings.ComputeThreadMicroseconds));
        engine.UseResponseCache(responseCache);
        // Precomputed predictions (config.json "precomputed"): SQLite, postgres:// and redis:// sources.
        engine.UsePrecomputedPredictions(Augur.Batch.Precomputed.PrecomputedStores.Open);
    }
}
