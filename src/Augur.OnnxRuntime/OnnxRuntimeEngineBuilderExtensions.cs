using Augur.OnnxRuntime.Backend;
using Augur.OnnxRuntime.Pipelines;

namespace Augur;

/// <summary>Registers the ONNX Runtime backend on an <see cref="InferenceEngineBuilder"/>.</summary>
public static class OnnxRuntimeEngineBuilderExtensions
{
    /// <summary>
    /// Serves <c>model.onnx</c> files with ONNX Runtime, and pipelines (<c>pipeline.json</c>: ONNX graphs and built-in
    /// featurizers, design note 0013) on the same backend; <paramref name="configure"/> adjusts the session defaults.
    /// </summary>
    public static InferenceEngineBuilder UseOnnxRuntime(this InferenceEngineBuilder builder, Action<OnnxRuntimeOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new OnnxRuntimeOptions();
        configure?.Invoke(options);
        options.Validate();
        var onnxRuntime = new OnnxRuntimeBackend(options);
        // The pipeline first: a folder with a pipeline.json is a pipeline, even when one of its steps is named model.onnx.
        return builder.AddBackend(new PipelineBackend(onnxRuntime)).AddBackend(onnxRuntime);
    }
}
