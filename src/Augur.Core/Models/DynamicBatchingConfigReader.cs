using System.Text.Json;

namespace Augur.Models;

/// <summary>Reads config.json's <c>dynamic_batching</c>: <c>false</c>, or an object of Triton-named settings.</summary>
internal static class DynamicBatchingConfigReader
{
    private const string Section = "dynamic_batching";

    // About 36 minutes, far beyond any sensible queue wait.
    private const int MaxMicroseconds = int.MaxValue;

    public static DynamicBatchingConfig Read(JsonElement value)
    {
        if (value.ValueKind is JsonValueKind.False or JsonValueKind.True)
        {
            return DynamicBatchingConfig.Default with { Enabled = value.GetBoolean() };
        }

        ModelConfigReader.Expect(value, JsonValueKind.Object, Section);
        var config = DynamicBatchingConfig.Default;
        foreach (var property in value.EnumerateObject())
        {
            var name = $"{Section}.{property.Name}";
            var v = property.Value;
            config = property.Name switch
            {
                "enabled" => config with { Enabled = ReadBool(v, name) },
                "preferred_batch_size" => config with { PreferredBatchSizes = ReadSizes(v, name), TunesDelay = false },
                "max_queue_delay_microseconds" => config with { MaxQueueDelay = Microseconds(v, name, min: 0), TunesDelay = false },
                "max_queue_size" => config with { MaxQueueSize = ModelConfigReader.ReadInt(v, name, min: 0) },
                "default_timeout_microseconds" => config with { DefaultTimeout = ReadTimeout(v, name) },
                "priority_levels" => config with { PriorityLevels = ModelConfigReader.ReadInt(v, name, min: 1, max: DynamicBatchingConfig.MaxPriorityLevels) },
                "default_priority_level" => config with { DefaultPriorityLevel = ModelConfigReader.ReadInt(v, name, min: 1, max: DynamicBatchingConfig.MaxPriorityLevels) },
                "latency_objective" => config with { LatencyObjective = ReadObjective(v) },
                _ => throw new FormatException($"unknown setting '{name}'"),
            };
        }

        if (config.DefaultPriorityLevel > config.PriorityLevels)
        {
            throw new FormatException($"{Section}.default_priority_level {config.DefaultPriorityLevel} is above priority_levels {config.PriorityLevels}");
        }

        return config;
    }

    private static bool ReadBool(JsonElement value, string name) =>
        value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : throw new FormatException($"{name} must be true or false, not {value.GetRawText()}");

    private static int[] ReadSizes(JsonElement value, string name)
    {
        ModelConfigReader.Expect(value, JsonValueKind.Array, name);
        var sizes = value.EnumerateArray().Select(v => ModelConfigReader.ReadInt(v, $"each {name}", min: 1, max: ModelConfig.MaxBatchSizeLimit)).Distinct().Order().ToArray();
        return sizes;
    }

    private static TimeSpan? ReadTimeout(JsonElement value, string name)
    {
        var timeout = Microseconds(value, name, min: 0);
        return timeout == TimeSpan.Zero ? null : timeout;
    }

    private static TimeSpan Microseconds(JsonElement value, string name, int min) =>
        TimeSpan.FromMicroseconds(ModelConfigReader.ReadInt(value, name, min, MaxMicroseconds));

    private static LatencyObjective ReadObjective(JsonElement value)
    {
        const string section = Section + ".latency_objective";
        ModelConfigReader.Expect(value, JsonValueKind.Object, section);
        double? percentile = null;
        TimeSpan? latency = null;
        foreach (var property in value.EnumerateObject())
        {
            switch (property.Name)
            {
                case "percentile":
                    percentile = property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetDouble(out var p) && p > 0 && p <= 100
                        ? p
                        : throw new FormatException($"{section}.percentile must be a number above 0 and at most 100, not {property.Value.GetRawText()}");
                    break;
                case "microseconds":
                    latency = Microseconds(property.Value, $"{section}.microseconds", min: 1);
                    break;
                default:
                    throw new FormatException($"unknown setting '{section}.{property.Name}'");
            }
        }

        return latency is { } target
            ? new LatencyObjective(percentile ?? 99, target)
            : throw new FormatException($"{section} needs 'microseconds' (and optionally 'percentile', default 99)");
    }
}
