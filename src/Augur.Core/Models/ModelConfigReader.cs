using System.Text.Json;
using Augur.Tensors;

namespace Augur.Models;

/// <summary>
/// Reads config.json. The format follows Triton's names in snake_case:
/// <code>
/// { "max_batch_size": 32, "instance_count": 2,
///   "input":  [{ "name": "features", "datatype": "FP32", "dims": [8] }],
///   "output": [{ "name": "probability", "datatype": "FP32", "dims": [1] }],
///   "version_policy": { "latest": { "num_versions": 2 } },   // or { "all": {} }, { "specific": { "versions": [1, 3] } }
///   "warmup": { "iterations": 1, "batch_size": 1 },
///   "dynamic_batching": { "max_queue_delay_microseconds": 500, "preferred_batch_size": [8, 16], "max_queue_size": 256,
///                         "default_timeout_microseconds": 50000, "priority_levels": 2, "default_priority_level": 2,
///                         "latency_objective": { "percentile": 99, "microseconds": 15000 } },   // or false
///   "sequence_batching": { ... },   // see SequenceBatchingConfigReader
///   "response_cache": { "enable": true, "ttl_seconds": 600 },  // answers of identical requests are reused
///   "precomputed": { "source": "predictions.db", "max_age_seconds": 86400 },   // see PrecomputedConfigReader
///   "parameters": { "intra_op_threads": "1" },
///   "backend": "onnxruntime",                                 // default: the first backend whose files the version holds
///   "isolation": "process",                                   // run in worker processes (default "none": in the server)
///   "backend_settings": { "worker": { "call_timeout_ms": 5000 } },   // one section per backend, read by that backend
///   "required": true }                                        // the server is not ready until this model is
/// </code>
/// Unknown fields are errors, so a misspelt setting is reported rather than ignored.
/// </summary>
public static class ModelConfigReader
{
    /// <summary>The file name looked for in a model folder.</summary>
    public const string FileName = "config.json";

    /// <summary>Parses a configuration, or returns why it is invalid.</summary>
    public static bool TryParse(string json, out ModelConfig config, out string? problem)
    {
        config = ModelConfig.Empty;
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            config = Read(document.RootElement);
            problem = null;
            return true;
        }
        catch (JsonException ex)
        {
            problem = $"config.json is not valid JSON: {ex.Message}";
        }
        catch (FormatException ex)
        {
            problem = $"config.json: {ex.Message}";
        }

        return false;
    }

    private static ModelConfig Read(JsonElement root)
    {
        Expect(root, JsonValueKind.Object, "the document");
        var config = ModelConfig.Empty;
        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            config = property.Name switch
            {
                "max_batch_size" => config with { MaxBatchSize = ReadInt(value, property.Name, min: 0, max: ModelConfig.MaxBatchSizeLimit) },
                "instance_count" => config with { InstanceCount = ReadInt(value, property.Name, min: 1, max: ModelConfig.MaxInstanceCount) },
                "input" => config with { Inputs = ReadTensors(value, property.Name) },
                "output" => config with { Outputs = ReadTensors(value, property.Name) },
                "version_policy" => config with { VersionPolicy = ReadVersionPolicy(value) },
                "warmup" => config with { Warmup = ReadWarmup(value) },
                "parameters" => config with { Parameters = ReadParameters(value) },
                "required" => config with { Required = ReadBool(value, property.Name) },
                "dynamic_batching" => config with { DynamicBatching = DynamicBatchingConfigReader.Read(value) },
                "sequence_batching" => config with { SequenceBatching = SequenceBatchingConfigReader.Read(value) },
                "response_cache" => config with { ResponseCache = ResponseCacheConfigReader.Read(value) },
                "precomputed" => config with { Precomputed = PrecomputedConfigReader.Read(value) },
                "backend" => config with { Backend = BackendConfigReader.ReadName(value, property.Name) },
                "isolation" => config with { Isolation = BackendConfigReader.ReadName(value, property.Name) },
                "backend_settings" => config with { BackendSettings = BackendConfigReader.ReadSettings(value) },
                _ => throw new FormatException($"unknown setting '{property.Name}'"),
            };
        }

        if (config.Precomputed is not null && config.SequenceBatching is not null)
        {
            throw new FormatException("precomputed cannot serve a sequence model (sequence_batching): its answers depend on the state of the sequence, not on a key");
        }

        return config;
    }

    private static List<TensorConfig> ReadTensors(JsonElement value, string section)
    {
        Expect(value, JsonValueKind.Array, section);
        var tensors = new List<TensorConfig>();
        foreach (var item in value.EnumerateArray())
        {
            Expect(item, JsonValueKind.Object, $"each entry of '{section}'");
            string? name = null;
            var dataType = DataType.Invalid;
            long[]? dims = null;
            foreach (var property in item.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "name":
                        Expect(property.Value, JsonValueKind.String, $"{section}.name");
                        name = property.Value.GetString();
                        break;
                    case "datatype":
                        Expect(property.Value, JsonValueKind.String, $"{section}.datatype");
                        if (!DataTypes.TryParse(property.Value.GetString(), out dataType))
                        {
                            throw new FormatException($"{section} datatype '{property.Value.GetString()}' is not one of {string.Join(", ", DataTypes.All.Select(t => t.Name()))}");
                        }

                        break;
                    case "dims":
                        Expect(property.Value, JsonValueKind.Array, $"{section}.dims");
                        dims = property.Value.EnumerateArray().Select(d => ReadDim(d, section)).ToArray();
                        break;
                    default:
                        throw new FormatException($"unknown setting '{section}.{property.Name}'");
                }
            }

            if (string.IsNullOrEmpty(name) || dataType == DataType.Invalid || dims is null)
            {
                throw new FormatException($"each entry of '{section}' needs 'name', 'datatype' and 'dims'");
            }

            tensors.Add(new TensorConfig(name, dataType, dims));
        }

        return tensors;
    }

    private static long ReadDim(JsonElement value, string section) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var dim) && dim >= -1
            ? dim
            : throw new FormatException($"{section} dims must be integers ≥ -1 (-1 means any size), not {value.GetRawText()}");

    private static VersionPolicy ReadVersionPolicy(JsonElement value)
    {
        Expect(value, JsonValueKind.Object, "version_policy");
        var properties = value.EnumerateObject().ToArray();
        if (properties.Length != 1)
        {
            throw new FormatException("version_policy needs exactly one of 'latest', 'all', 'specific'");
        }

        var (name, body) = (properties[0].Name, properties[0].Value);
        var section = $"version_policy.{name}";
        switch (name)
        {
            case "latest":
                Expect(body, JsonValueKind.Object, section);
                RejectUnknown(body, section, "num_versions");
                return new VersionPolicy.Latest(body.TryGetProperty("num_versions", out var n) ? ReadInt(n, $"{section}.num_versions", min: 1) : 1);
            case "all":
                Expect(body, JsonValueKind.Object, section);
                RejectUnknown(body, section);
                return new VersionPolicy.All();
            case "specific":
                Expect(body, JsonValueKind.Object, section);
                RejectUnknown(body, section, "versions");
                return new VersionPolicy.Specific(ReadVersions(body));
            default:
                throw new FormatException($"version_policy '{name}' is not one of 'latest', 'all', 'specific'");
        }
    }

    private static long[] ReadVersions(JsonElement value)
    {
        if (!value.TryGetProperty("versions", out var versions) || versions.ValueKind != JsonValueKind.Array || versions.GetArrayLength() == 0)
        {
            throw new FormatException("version_policy.specific needs a non-empty 'versions' array");
        }

        return versions.EnumerateArray()
            .Select(v => v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) && n > 0
                ? n
                : throw new FormatException($"version_policy.specific versions must be positive integers, not {v.GetRawText()}"))
            .Distinct()
            .ToArray();
    }

    private static void RejectUnknown(JsonElement value, string section, params string[] known)
    {
        foreach (var property in value.EnumerateObject())
        {
            if (!known.Contains(property.Name))
            {
                throw new FormatException($"unknown setting '{section}.{property.Name}'");
            }
        }
    }

    private static WarmupConfig ReadWarmup(JsonElement value)
    {
        Expect(value, JsonValueKind.Object, "warmup");
        var warmup = WarmupConfig.Default with { IsExplicit = true };
        foreach (var property in value.EnumerateObject())
        {
            warmup = property.Name switch
            {
                "iterations" => warmup with { Iterations = ReadInt(property.Value, "warmup.iterations", min: 0) },
                "batch_size" => warmup with { BatchSize = ReadInt(property.Value, "warmup.batch_size", min: 1) },
                _ => throw new FormatException($"unknown setting 'warmup.{property.Name}'"),
            };
        }

        return warmup;
    }

    private static Dictionary<string, string> ReadParameters(JsonElement value)
    {
        Expect(value, JsonValueKind.Object, "parameters");
        return value.EnumerateObject().ToDictionary(
            p => p.Name,
            p => p.Value.ValueKind switch
            {
                JsonValueKind.String => p.Value.GetString()!,
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => p.Value.GetRawText(),
                _ => throw new FormatException($"parameters.{p.Name} must be a string, number or boolean"),
            });
    }

    internal static int ReadInt(JsonElement value, string name, int min, int max = int.MaxValue) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) && n >= min && n <= max
            ? n
            : throw new FormatException(max == int.MaxValue
                ? $"{name} must be an integer ≥ {min}, not {value.GetRawText()}"
                : $"{name} must be an integer from {min} to {max}, not {value.GetRawText()}");

    internal static void Expect(JsonElement value, JsonValueKind kind, string what)
    {
        if (value.ValueKind != kind)
        {
            throw new FormatException($"{what} must be a JSON {kind.ToString().ToLowerInvariant()}, not {value.ValueKind.ToString().ToLowerInvariant()}");
        }
    }

    private static bool ReadBool(JsonElement value, string name) =>
        value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : throw new FormatException($"{name} must be true or false, not {value.GetRawText()}");
}
