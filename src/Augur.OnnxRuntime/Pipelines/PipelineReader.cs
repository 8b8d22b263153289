using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using Augur.Models;
using Augur.OnnxRuntime.Pipelines.Featurizers;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Pipelines;

/// <summary>
/// Reads pipeline.json:
/// <code>
/// { "inputs":  [{ "name": "text", "datatype": "BYTES", "shape": [-1, 1] }],
///   "outputs": ["probability"],
///   "steps": [
///     { "name": "featurize", "featurizer": "text_ngrams", "inputs": ["text"], "outputs": ["ngrams"],
///       "settings": { "buckets": 4096, "ngram_max": 2 } },
///     { "name": "classify", "onnx": "classifier.onnx",
///       "inputs": { "features": "ngrams" }, "outputs": { "probability": "probability" } } ] }
/// </code>
/// Unknown properties are refused, and every problem is one message that names the step (and the setting or tensor).
/// The data flow (names, cycles, types, shapes) is checked afterwards, by <see cref="PipelineGraph"/> and <see cref="PipelinePlan"/>.
/// </summary>
internal static class PipelineReader
{
    private static readonly string[] StepProperties = ["name", "onnx", "featurizer", "inputs", "outputs", "settings"];

    /// <summary>Parses a pipeline, or says why it is not one (the message starts with <c>pipeline.json</c>).</summary>
    public static bool TryParse(string json, [NotNullWhen(true)] out PipelineDefinition? pipeline, [NotNullWhen(false)] out string? problem)
    {
        pipeline = null;
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            pipeline = Read(document.RootElement);
            problem = null;
            return true;
        }
        catch (JsonException ex)
        {
            problem = $"{PipelineDefinition.FileName} is not valid JSON: {ex.Message}";
        }
        catch (FormatException ex)
        {
            problem = $"{PipelineDefinition.FileName}: {ex.Message}";
        }

        return false;
    }

    private static PipelineDefinition Read(JsonElement root)
    {
        Expect(root, JsonValueKind.Object, "the document", "an object with 'inputs', 'outputs' and 'steps'");
        JsonElement? inputs = null, outputs = null, steps = null;
        foreach (var property in Properties(root, "the document"))
        {
            switch (property.Name)
            {
                case "inputs":
                    inputs = property.Value;
                    break;
                case "outputs":
                    outputs = property.Value;
                    break;
                case "steps":
                    steps = property.Value;
                    break;
                default:
                    throw new FormatException($"unknown property '{property.Name}'; known: inputs, outputs, steps");
            }
        }

        return new PipelineDefinition(
            ReadInputs(inputs ?? throw Missing("inputs", "the tensors a request sends: [{\"name\", \"datatype\", \"shape\"}]")),
            ReadNames(outputs ?? throw Missing("outputs", "the pipeline tensors returned, e.g. [\"probability\"]"), "outputs"),
            ReadSteps(steps ?? throw Missing("steps", "the steps of the pipeline")));
    }

    private static FormatException Missing(string property, string what) => new($"needs '{property}' ({what})");

    private static List<TensorSpec> ReadInputs(JsonElement value)
    {
        Expect(value, JsonValueKind.Array, "inputs", "a non-empty list of {\"name\", \"datatype\", \"shape\"}");
        var inputs = new List<TensorSpec>();
        foreach (var item in value.EnumerateArray())
        {
            var where = $"inputs[{inputs.Count.ToString(CultureInfo.InvariantCulture)}]";
            Expect(item, JsonValueKind.Object, where, "an object with 'name', 'datatype' and 'shape'");
            string? name = null;
            var dataType = DataType.Invalid;
            long[]? shape = null;
            foreach (var property in Properties(item, where))
            {
                switch (property.Name)
                {
                    case "name":
                        name = ReadName(property.Value, $"{where}.name");
                        where = $"input '{name}'";
                        break;
                    case "datatype":
                        dataType = property.Value.ValueKind == JsonValueKind.String && DataTypes.TryParse(property.Value.GetString(), out var parsed)
                            ? parsed
                            : throw new FormatException($"{where}: datatype {property.Value.GetRawText()} is not one of {string.Join(", ", DataTypes.All.Select(t => t.Name()))}");
                        break;
                    case "shape":
                        shape = ReadShape(property.Value, where);
                        break;
                    default:
                        throw new FormatException($"{where}: unknown property '{property.Name}'; known: name, datatype, shape");
                }
            }

            if (name is null || dataType == DataType.Invalid || shape is null)
            {
                throw new FormatException($"{where} needs 'name', 'datatype' and 'shape'");
            }

            if (shape[0] != -1)
            {
                throw new FormatException($"{where}: the first dimension of shape {TensorShape.Format(shape)} must be -1, the batch dimension (pipelines batch)");
            }

            if (inputs.Any(i => i.Name == name))
            {
                throw new FormatException($"input '{name}' is declared twice");
            }

            inputs.Add(new TensorSpec(name, dataType, shape));
        }

        return inputs.Count > 0 ? inputs : throw new FormatException("inputs is empty; a pipeline reads at least one tensor");
    }

    private static long[] ReadShape(JsonElement value, string where)
    {
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
        {
            throw new FormatException($"{where}: shape must be a non-empty list of dimensions (-1 for any size), not {FeaturizerSettings.Shorten(value)}");
        }

        return value.EnumerateArray().Select(d => d.ValueKind == JsonValueKind.Number && d.TryGetInt64(out var dim) && dim >= -1
            ? dim
            : throw new FormatException($"{where}: shape dimensions are integers ≥ -1 (-1 for any size), not {d.GetRawText()}")).ToArray();
    }

    private static List<string> ReadNames(JsonElement value, string where)
    {
        Expect(value, JsonValueKind.Array, where, "a list of tensor names");
        var names = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            var name = ReadName(item, $"{where}[{names.Count.ToString(CultureInfo.InvariantCulture)}]");
            if (names.Contains(name))
            {
                throw new FormatException($"{where} lists '{name}' twice");
            }

            names.Add(name);
        }

        return names.Count > 0 ? names : throw new FormatException($"{where} is empty");
    }

    private static List<PipelineStep> ReadSteps(JsonElement value)
    {
        Expect(value, JsonValueKind.Array, "steps", "a non-empty list of steps");
        var steps = new List<PipelineStep>();
        foreach (var item in value.EnumerateArray())
        {
            var step = ReadStep(item, steps.Count);
            if (steps.Any(s => s.Name == step.Name))
            {
                throw new FormatException($"two steps are named '{step.Name}'; step names are distinct");
            }

            steps.Add(step);
        }

        return steps.Count > 0 ? steps : throw new FormatException("steps is empty; a pipeline has at least one step");
    }

    private static PipelineStep ReadStep(JsonElement item, int index)
    {
        var where = $"steps[{index.ToString(CultureInfo.InvariantCulture)}]";
        Expect(item, JsonValueKind.Object, where, "an object with 'name', 'onnx' or 'featurizer', 'inputs' and 'outputs'");
        var properties = Properties(item, where).ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        var name = properties.TryGetValue("name", out var nameValue)
            ? ReadName(nameValue, $"{where}.name")
            : throw new FormatException($"{where} needs 'name'");
        var step = $"step '{name}'";
        if (properties.Keys.FirstOrDefault(p => !StepProperties.Contains(p)) is { } unknown)
        {
            throw new FormatException($"{step}: unknown property '{unknown}'; known: {string.Join(", ", StepProperties)}");
        }

        var isOnnx = properties.TryGetValue("onnx", out var onnx);
        var isFeaturizer = properties.TryGetValue("featurizer", out var featurizer);
        if (isOnnx == isFeaturizer)
        {
            throw new FormatException(isOnnx
                ? $"{step} has both 'onnx' and 'featurizer'; a step is one of them"
                : $"{step} is neither an ONNX step (\"onnx\": \"file.onnx\") nor a featurizer (\"featurizer\": one of {string.Join(", ", FeaturizerCatalog.Kinds)})");
        }

        var inputs = properties.TryGetValue("inputs", out var i) ? i : throw new FormatException($"{step} needs 'inputs'");
        var outputs = properties.TryGetValue("outputs", out var o) ? o : throw new FormatException($"{step} needs 'outputs'");
        try
        {
            return isOnnx
                ? ReadOnnxStep(name, onnx, inputs, outputs, properties.ContainsKey("settings"))
                : ReadFeaturizerStep(name, featurizer, inputs, outputs, properties.GetValueOrDefault("settings"));
        }
        catch (FormatException ex)
        {
            throw new FormatException($"{step}: {ex.Message}", ex);
        }
    }

    private static OnnxStep ReadOnnxStep(string name, JsonElement file, JsonElement inputs, JsonElement outputs, bool hasSettings)
    {
        if (hasSettings)
        {
            throw new FormatException("'settings' are for featurizers; an ONNX step takes its session settings from config.json (backend_settings.onnxruntime)");
        }

        var fileName = file.ValueKind == JsonValueKind.String ? file.GetString()! : throw new FormatException($"onnx must be a file name, not {file.GetRawText()}");
        if (fileName.Length == 0 || fileName is "." or ".." || fileName.IndexOfAny(['/', '\\', '\0']) >= 0 || fileName.Any(char.IsControl))
        {
            throw new FormatException($"onnx '{fileName}' must name a file in the version folder, without a path");
        }

        return new OnnxStep(name, fileName, ReadMap(inputs, "inputs", "graph input"), ReadMap(outputs, "outputs", "graph output"));
    }

    private static List<(string Graph, string Tensor)> ReadMap(JsonElement value, string where, string what)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{where} of an ONNX step must be an object mapping each {what} name to a pipeline tensor name, not {FeaturizerSettings.Shorten(value)}");
        }

        var map = new List<(string, string)>();
        foreach (var property in value.EnumerateObject())
        {
            if (property.Name.Length == 0)
            {
                throw new FormatException($"{where} maps an empty {what} name");
            }

            if (map.Any(m => m.Item1 == property.Name))
            {
                throw new FormatException($"{where} maps {what} '{property.Name}' twice");
            }

            map.Add((property.Name, ReadName(property.Value, $"{where}.{property.Name}")));
        }

        return map.Count > 0 ? map : throw new FormatException($"{where} maps no {what}");
    }

    private static FeaturizerStep ReadFeaturizerStep(string name, JsonElement kind, JsonElement inputs, JsonElement outputs, JsonElement settings)
    {
        var kindName = kind.ValueKind == JsonValueKind.String
            ? kind.GetString()!
            : throw new FormatException($"featurizer must be one of {string.Join(", ", FeaturizerCatalog.Kinds)}, not {kind.GetRawText()}");
        if (inputs.ValueKind != JsonValueKind.Array || outputs.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("inputs and outputs of a featurizer are lists of pipeline tensor names");
        }

        var featurizer = FeaturizerCatalog.Create(kindName, settings);
        var read = inputs.EnumerateArray().Select((v, i) => ReadName(v, $"inputs[{i.ToString(CultureInfo.InvariantCulture)}]")).ToArray();
        var defined = outputs.EnumerateArray().Select((v, i) => ReadName(v, $"outputs[{i.ToString(CultureInfo.InvariantCulture)}]")).ToArray();
        if (read.Length == 0)
        {
            throw new FormatException("inputs is empty; a featurizer reads at least one tensor");
        }

        return defined.Length == 1
            ? new FeaturizerStep(name, featurizer, read, defined[0], CanonicalJson.Of(settings))
            : throw new FormatException($"a featurizer defines one tensor, but outputs lists {defined.Length}");
    }

    private static string ReadName(JsonElement value, string where) =>
        value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } name && !name.Any(char.IsControl)
            ? name
            : throw new FormatException($"{where} must be a non-empty name, not {value.GetRawText()}");

    /// <summary>The properties of an object, refusing one given twice (JSON allows it; a pipeline would silently lose one).</summary>
    private static List<JsonProperty> Properties(JsonElement value, string where)
    {
        var properties = new List<JsonProperty>();
        foreach (var property in value.EnumerateObject())
        {
            if (properties.Any(p => p.Name == property.Name))
            {
                throw new FormatException($"{where}: property '{property.Name}' is given twice");
            }

            properties.Add(property);
        }

        return properties;
    }

    private static void Expect(JsonElement value, JsonValueKind kind, string where, string what)
    {
        if (value.ValueKind != kind)
        {
            throw new FormatException($"{where} must be {what}, not {FeaturizerSettings.Shorten(value)}");
        }
    }
}
