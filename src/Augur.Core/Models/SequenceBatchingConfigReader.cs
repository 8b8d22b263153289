using System.Text.Json;
using Augur.Tensors;

namespace Augur.Models;

/// <summary>
/// Reads config.json's <c>sequence_batching</c>:
/// <code>
/// "sequence_batching": {
///   "max_sequence_idle_microseconds": 60000000, "max_sequences": 1000, "implicit_start": true,
///   "state":    [{ "input_name": "state_in", "output_name": "state_out", "datatype": "FP32", "dims": [2] }],
///   "window":   [{ "input_name": "history", "source": "reading", "length": 8 }],
///   "features": [{ "input_name": "stats", "source": "reading", "aggregates": ["count", "mean", "min", "max"],
///                  "last_readings": 16, "last_seconds": 10 }] }
/// </code>
/// </summary>
internal static class SequenceBatchingConfigReader
{
    private const string Section = "sequence_batching";

    public static SequenceBatchingConfig Read(JsonElement value)
    {
        ModelConfigReader.Expect(value, JsonValueKind.Object, Section);
        var config = new SequenceBatchingConfig();
        foreach (var property in value.EnumerateObject())
        {
            var name = $"{Section}.{property.Name}";
            var v = property.Value;
            config = property.Name switch
            {
                "max_sequence_idle_microseconds" => config with { MaxSequenceIdle = TimeSpan.FromMicroseconds(ModelConfigReader.ReadInt(v, name, min: 1)) },
                "max_sequences" => config with { MaxSequences = ModelConfigReader.ReadInt(v, name, min: 1) },
                "implicit_start" => config with { ImplicitStart = ReadBool(v, name) },
                "state" => config with { States = ReadArray(v, name, ReadState) },
                "window" => config with { Windows = ReadArray(v, name, ReadWindow) },
                "features" => config with { Features = ReadArray(v, name, ReadFeature) },
                _ => throw new FormatException($"unknown setting '{name}'"),
            };
        }

        var fed = config.States.Select(s => s.InputName).Concat(config.Windows.Select(w => w.InputName)).Concat(config.Features.Select(f => f.InputName)).ToArray();
        if (fed.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new FormatException($"{Section} feeds model input '{twice.Key}' more than once");
        }

        if (config.States.GroupBy(s => s.OutputName).FirstOrDefault(g => g.Count() > 1) is { } output)
        {
            throw new FormatException($"{Section}.state uses output '{output.Key}' more than once");
        }

        return config;
    }

    private static List<T> ReadArray<T>(JsonElement value, string name, Func<JsonElement, string, T> read)
    {
        ModelConfigReader.Expect(value, JsonValueKind.Array, name);
        return value.EnumerateArray().Select(item =>
        {
            ModelConfigReader.Expect(item, JsonValueKind.Object, $"each entry of '{name}'");
            return read(item, name);
        }).ToList();
    }

    private static SequenceStateConfig ReadState(JsonElement item, string section)
    {
        Known(item, section, "input_name", "output_name", "datatype", "dims");
        var typeName = ReadString(item, section, "datatype");
        if (!DataTypes.TryParse(typeName, out var dataType) || dataType == DataType.Bytes)
        {
            throw new FormatException($"{section}.datatype '{typeName}' is not a numeric datatype");
        }

        if (!item.TryGetProperty("dims", out var dims) || dims.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"each entry of '{section}' needs 'dims', an array of sizes");
        }

        var shape = dims.EnumerateArray().Select(d => d.ValueKind == JsonValueKind.Number && d.TryGetInt64(out var n) && n >= 1 && n <= 1 << 20
            ? n
            : throw new FormatException($"{section}.dims must be fixed sizes from 1 to {1 << 20}, not {d.GetRawText()}")).ToArray();
        return new SequenceStateConfig(ReadString(item, section, "input_name"), ReadString(item, section, "output_name"), dataType, shape);
    }

    private static SequenceWindowConfig ReadWindow(JsonElement item, string section)
    {
        Known(item, section, "input_name", "source", "length");
        var length = item.TryGetProperty("length", out var l)
            ? ModelConfigReader.ReadInt(l, $"{section}.length", min: 1, max: SequenceBatchingConfig.MaxTimeWindowReadings)
            : throw new FormatException($"each entry of '{section}' needs 'length', the number of readings");
        return new SequenceWindowConfig(ReadString(item, section, "input_name"), ReadString(item, section, "source"), length);
    }

    private static SequenceFeatureConfig ReadFeature(JsonElement item, string section)
    {
        Known(item, section, "input_name", "source", "aggregates", "last_readings", "last_seconds");
        if (!item.TryGetProperty("aggregates", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
        {
            throw new FormatException($"each entry of '{section}' needs 'aggregates', a non-empty array of \"count\", \"mean\", \"min\", \"max\"");
        }

        var aggregates = list.EnumerateArray().Select(a => a.ValueKind == JsonValueKind.String && Enum.TryParse<SequenceAggregate>(a.GetString(), ignoreCase: true, out var parsed) && a.GetString()!.All(char.IsLower)
            ? parsed
            : throw new FormatException($"{section}.aggregates: {a.GetRawText()} is not one of \"count\", \"mean\", \"min\", \"max\"")).ToArray();
        int? readings = item.TryGetProperty("last_readings", out var r)
            ? ModelConfigReader.ReadInt(r, $"{section}.last_readings", min: 1, max: SequenceBatchingConfig.MaxTimeWindowReadings)
            : null;
        TimeSpan? seconds = null;
        if (item.TryGetProperty("last_seconds", out var s))
        {
            seconds = s.ValueKind == JsonValueKind.Number && s.TryGetDouble(out var t) && t > 0 && t <= 86_400
                ? TimeSpan.FromSeconds(t)
                : throw new FormatException($"{section}.last_seconds must be a number of seconds above 0 and at most 86400, not {s.GetRawText()}");
        }

        if (readings is null && seconds is null)
        {
            throw new FormatException($"each entry of '{section}' needs 'last_readings', 'last_seconds' or both");
        }

        return new SequenceFeatureConfig(ReadString(item, section, "input_name"), ReadString(item, section, "source"), aggregates, readings, seconds);
    }

    private static string ReadString(JsonElement item, string section, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new FormatException($"each entry of '{section}' needs '{name}', a non-empty string");

    private static bool ReadBool(JsonElement value, string name) =>
        value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : throw new FormatException($"{name} must be true or false, not {value.GetRawText()}");

    private static void Known(JsonElement item, string section, params string[] names)
    {
        foreach (var property in item.EnumerateObject())
        {
            if (!names.Contains(property.Name))
            {
                throw new FormatException($"unknown setting '{section}.{property.Name}'");
            }
        }
    }
}
