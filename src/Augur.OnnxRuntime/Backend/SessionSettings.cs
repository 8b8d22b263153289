using System.Globalization;
using Microsoft.ML.OnnxRuntime;

namespace Augur.OnnxRuntime.Backend;

/// <summary>The session options of one model: the backend's defaults with the model's overrides applied.</summary>
internal sealed record SessionSettings(int IntraOpThreads, int InterOpThreads, bool OptimizeGraph)
{
    private static readonly string[] KnownParameters = ["intra_op_threads", "inter_op_threads"];

    public static SessionSettings Resolve(OnnxRuntimeOptions defaults, IReadOnlyDictionary<string, string> parameters)
    {
        foreach (var name in parameters.Keys)
        {
            if (!KnownParameters.Contains(name))
            {
                throw new FormatException($"unknown parameter '{name}' for the ONNX Runtime backend; known: {string.Join(", ", KnownParameters)}");
            }
        }

        return new(
            ReadThreads(parameters, "intra_op_threads", defaults.IntraOpThreads),
            ReadThreads(parameters, "inter_op_threads", defaults.InterOpThreads),
            defaults.OptimizeGraph);
    }

    public SessionOptions Create() => new()
    {
        IntraOpNumThreads = IntraOpThreads,
        InterOpNumThreads = InterOpThreads,
        ExecutionMode = InterOpThreads > 1 ? ExecutionMode.ORT_PARALLEL : ExecutionMode.ORT_SEQUENTIAL,
        GraphOptimizationLevel = OptimizeGraph ? GraphOptimizationLevel.ORT_ENABLE_ALL : GraphOptimizationLevel.ORT_DISABLE_ALL,
        // Failures reach clients and logs as Augur errors; ONNX Runtime's own stderr lines would let clients flood the console.
        LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
    };

    private static int ReadThreads(IReadOnlyDictionary<string, string> parameters, string name, int fallback)
    {
        if (!parameters.TryGetValue(name, out var text))
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var threads) && threads is >= 1 and <= 256
            ? threads
            : throw new FormatException($"parameter {name} must be an integer from 1 to 256, not '{text}'");
    }
}
