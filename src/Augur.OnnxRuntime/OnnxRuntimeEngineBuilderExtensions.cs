using Augur.OnnxRuntime.Backend;

namespace Augur;

/// <summary>Registers the ONNX Runtime backend on an <see cref="InferenceEngineBuilder"/>.</summary>
public static class OnnxRuntimeEngineBuilderExtensions
{
    /// <summary>Serves <c>model.onnx</c> files with ONNX Runtime; <paramref name="configure"/> adjusts the session defaults.</summary>
    public static InferenceEngineBuilder UseOnnxRuntime(this InferenceEngineBuilder builder, Action<OnnxRuntimeOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new OnnxRuntimeOptions();
        configure?.Invoke(options);
        options.Validate();
        return builder.AddBackend(new OnnxRuntimeBackend(options));
    }
}
