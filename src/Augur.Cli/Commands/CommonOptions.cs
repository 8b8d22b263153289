using System.CommandLine;
using Microsoft.Extensions.Logging;

namespace Augur.Cli.Commands;

/// <summary>Options and helpers shared by several commands.</summary>
internal static class CommonOptions
{
    /// <summary>The sample repository shipped beside the executable (copied from samples/models at build time).</summary>
    public static string BundledRepository { get; } = Path.Combine(AppContext.BaseDirectory, "samples", "models");

    public static Option<string> ModelRepository() => new("--model-repository")
    {
        Description = "Folder of <model>/<version>/model.onnx trees. Default: the bundled sample models.",
        DefaultValueFactory = _ => BundledRepository,
    };

    public static Option<int> IntraOpThreads() => new("--intra-op-threads")
    {
        Description = "ONNX Runtime threads per model instance, for sessions with thread pools of their own (with the global thread pool on, the default, only models whose config.json sets intra_op_threads have them; that setting overrides this). Default 1.",
        DefaultValueFactory = _ => 1,
    };

    /// <summary>Null when the repository folder exists; otherwise the message to print before exiting with 2.</summary>
    public static string? CheckRepository(string repository) =>
        Directory.Exists(repository) ? null : $"--model-repository '{repository}' does not exist";

    /// <summary>
    /// The engine of a command that runs in-process. With <paramref name="precomputed"/>, models may answer from their
    /// precomputed predictions (config.json <c>precomputed</c>); batch jobs leave it off, since a job must run the model.
    /// </summary>
    public static Task<InferenceEngine> BuildEngineAsync(string repository, int intraOpThreads, ILoggerFactory loggerFactory, CancellationToken cancellationToken,
        bool precomputed = false, Action<OnnxRuntime.Backend.OnnxRuntimeOptions>? onnxRuntime = null)
    {
        var builder = new InferenceEngineBuilder()
            .UseModelRepository(repository)
            .UseOnnxRuntime(o =>
            {
                o.IntraOpThreads = intraOpThreads;
                onnxRuntime?.Invoke(o);
            })
            .UseLoggerFactory(loggerFactory)
            // In process only (the default 256 MiB), for the models whose config.json enables response_cache.
            .UseResponseCache();
        if (precomputed)
        {
            builder.UsePrecomputedPredictions(Augur.Batch.Precomputed.PrecomputedStores.Open);
        }

        return builder.BuildAsync(cancellationToken);
    }

    public static ILoggerFactory ConsoleLogging(LogLevel minimum) => LoggerFactory.Create(logging => logging
        .SetMinimumLevel(minimum)
        .AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss ";
        }));
}
