using Augur.Workers;

namespace Augur;

/// <summary>Registers process isolation (worker processes) on an <see cref="InferenceEngineBuilder"/>.</summary>
public static class WorkerEngineBuilderExtensions
{
    /// <summary>
    /// Lets models run in worker processes (config.json <c>"isolation": "process"</c>). The workers load the model with
    /// the backend config.json names (default: the one whose files the folder holds), so register that backend in the
    /// worker program too; <c>augur serve</c> and <c>augur worker</c> both have ONNX Runtime.
    /// </summary>
    public static InferenceEngineBuilder UseProcessIsolation(this InferenceEngineBuilder builder, Action<WorkerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new WorkerOptions();
        configure?.Invoke(options);
        return builder.AddBackend(new ProcessWorkerBackend(options));
    }
}
