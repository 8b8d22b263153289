using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;

namespace Augur.OnnxRuntime.Backend;

/// <summary>
/// The session options of one model: the backend's defaults with the model's overrides applied, from its typed section
/// <c>backend_settings.onnxruntime</c> (<c>{ "intra_op_threads": 2, "inter_op_threads": 1, "optimize_graph": true,
/// "share_weights": true }</c>) or, as before, from string <c>parameters</c>; the section wins where both say.
/// <see cref="ShareWeights"/>: whether the model's large initializers are held once with every other model that has them.
/// </summary>
internal sealed record SessionSettings(int IntraOpThreads, int InterOpThreads, bool OptimizeGraph, bool ShareWeights)
{
    private static readonly string[] KnownParameters = ["intra_op_threads", "inter_op_threads"];

    public static SessionSettings Resolve(OnnxRuntimeOptions defaults, IReadOnlyDictionary<string, string> parameters, JsonElement section = default)
    {
        var settings = ResolveParameters(defaults, parameters);
        if (section.ValueKind == JsonValueKind.Undefined)
        {
            return settings;
        }

        foreach (var property in section.EnumerateObject())
        {
            settings = property.Name switch
            {
                "intra_op_threads" => settings with { IntraOpThreads = ReadThreads(property) },
                "inter_op_threads" => settings with { InterOpThreads = ReadThreads(property) },
                "optimize_graph" => settings with { OptimizeGraph = ReadSwitch(property) },
                "share_weights" => settings with { ShareWeights = ReadSwitch(property) },
                _ => throw new FormatException($"unknown setting backend_settings.onnxruntime.{property.Name}; known: intra_op_threads, inter_op_threads, optimize_graph, share_weights"),
            };
        }

        return settings;
    }

    private static bool ReadSwitch(JsonProperty property) =>
        property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? property.Value.GetBoolean()
            : throw new FormatException($"backend_settings.onnxruntime.{property.Name} must be true or false, not {property.Value.GetRawText()}");

    private static int ReadThreads(JsonProperty property) =>
        property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt32(out var threads) && threads is >= 1 and <= 256
            ? threads
            : throw new FormatException($"backend_settings.onnxruntime.{property.Name} must be an integer from 1 to 256, not {property.Value.GetRawText()}");

    private static SessionSettings ResolveParameters(OnnxRuntimeOptions defaults, IReadOnlyDictionary<string, string> parameters)
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
            defaults.OptimizeGraph,
            defaults.ShareWeights);
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
