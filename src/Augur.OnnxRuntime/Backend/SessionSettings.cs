using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;

namespace Augur.OnnxRuntime.Backend;

/// <summary>
/// The session options of one model: the backend's defaults with the model's overrides applied, from its typed section
/// <c>backend_settings.onnxruntime</c> (<c>{ "intra_op_threads": 2, "inter_op_threads": 1, "optimize_graph": true,
/// "share_weights": true, "global_thread_pool": true, "shared_arena": true, "share_subplans": true }</c>) or, as before, from string
/// <c>parameters</c>; the section wins where both say.
/// <see cref="ShareWeights"/>: whether the model's large initializers are held once with every other model that has them.
/// </summary>
internal sealed record SessionSettings(int IntraOpThreads, int InterOpThreads, bool OptimizeGraph, bool ShareWeights)
{
    private const string KnownSettings = "intra_op_threads, inter_op_threads, optimize_graph, share_weights, global_thread_pool, shared_arena, share_subplans";

    /// <summary>Whether the session runs on the environment's global thread pools rather than its own (<see cref="OnnxRuntimeOptions.GlobalThreadPool"/>).</summary>
    public bool GlobalThreadPool { get; init; }

    /// <summary>Whether the session allocates from the environment's CPU arena rather than its own (<see cref="OnnxRuntimeOptions.SharedArena"/>).</summary>
    public bool SharedArena { get; init; }

    /// <summary>Whether the model may share the beginning of its graph with other models (<see cref="OnnxRuntimeOptions.ShareSubPlans"/>, design note 0018).</summary>
    public bool ShareSubPlans { get; init; }

    /// <summary>Whether the model's config.json sets a thread count: such a model keeps thread pools of its own, of that size.</summary>
    public bool ThreadsSetByModel { get; init; }

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
                "intra_op_threads" => settings with { IntraOpThreads = ReadThreads(property), ThreadsSetByModel = true },
                "inter_op_threads" => settings with { InterOpThreads = ReadThreads(property), ThreadsSetByModel = true },
                "optimize_graph" => settings with { OptimizeGraph = ReadSwitch(property) },
                "share_weights" => settings with { ShareWeights = ReadSwitch(property) },
                "global_thread_pool" => settings with { GlobalThreadPool = ReadSwitch(property) },
                "shared_arena" => settings with { SharedArena = ReadSwitch(property) },
                "share_subplans" => settings with { ShareSubPlans = ReadSwitch(property) },
                _ => throw new FormatException($"unknown setting backend_settings.onnxruntime.{property.Name}; known: {KnownSettings}"),
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
            defaults.ShareWeights)
        {
            GlobalThreadPool = defaults.GlobalThreadPool,
            SharedArena = defaults.SharedArena,
            ShareSubPlans = defaults.ShareSubPlans,
            ThreadsSetByModel = parameters.ContainsKey("intra_op_threads") || parameters.ContainsKey("inter_op_threads"),
        };
    }

    /// <summary>
    /// The session options. With <see cref="GlobalThreadPool"/> the thread counts are ONNX Runtime's global pools' and
    /// these are ignored; the caller sets it only when the environment has global pools (a session without its own
    /// pools fails to open otherwise).
    /// </summary>
    public SessionOptions Create()
    {
        var options = new SessionOptions
        {
            IntraOpNumThreads = IntraOpThreads,
            InterOpNumThreads = InterOpThreads,
            ExecutionMode = InterOpThreads > 1 ? ExecutionMode.ORT_PARALLEL : ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = OptimizeGraph ? GraphOptimizationLevel.ORT_ENABLE_ALL : GraphOptimizationLevel.ORT_DISABLE_ALL,
            // Failures reach clients and logs as Augur errors; ONNX Runtime's own stderr lines would let clients flood the console.
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
        };
        if (GlobalThreadPool)
        {
            options.DisablePerSessionThreads();
        }

        if (SharedArena)
        {
            options.AddSessionConfigEntry("session.use_env_allocators", "1");
        }

        return options;
    }

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
