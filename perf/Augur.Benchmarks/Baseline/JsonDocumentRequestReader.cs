// The request decoder as it was before the one-pass reader: a JsonDocument, then a walk over it. Kept only as the
// baseline of DecodeInferRequestBenchmarks.
using System.Text.Json;
using Augur.Errors;
using Augur.Inference;
using Augur.Protocol.Json;

using Augur.Tensors;

namespace Augur.Benchmarks.Baseline;

/// <summary>
/// Decodes an Open Inference Protocol infer request body: JSON, optionally followed by binary tensor data
/// (the binary tensor data extension, with the JSON's length in <c>Inference-Header-Content-Length</c>).
/// Every problem is reported as an <see cref="ErrorCode.InvalidArgument"/> error naming the input.
/// Binary tensors are sliced from the body without a copy, so the body must outlive the request.
/// </summary>
internal static class JsonDocumentRequestReader
{
    /// <summary>Decodes a request for <paramref name="model"/>.</summary>
    /// <param name="body">The whole request body.</param>
    /// <param name="headerLength">The JSON part's length from <c>Inference-Header-Content-Length</c>, or null when the whole body is JSON.</param>
    /// <param name="model">The model name from the URL.</param>
    /// <param name="version">The version from the URL, or null.</param>
    /// <param name="options">Decoding limits.</param>
    /// <param name="decoded">The request, on success.</param>
    /// <param name="error">The problem, on failure.</param>
    public static bool TryRead(
        ReadOnlyMemory<byte> body, long? headerLength, string model, string? version, JsonCodecOptions options,
        out DecodedInferRequest decoded, out InferenceError? error)
    {
        decoded = null!;
        if (headerLength is { } length && (length < 0 || length > body.Length))
        {
            error = InferenceError.Invalid($"Inference-Header-Content-Length is {length} but the request body has {body.Length} bytes");
            return false;
        }

        var json = headerLength is { } jsonLength ? body[..(int)jsonLength] : body;
        var binary = headerLength is { } offset ? body[(int)offset..] : ReadOnlyMemory<byte>.Empty;
        if (!System.Text.Unicode.Utf8.IsValid(json.Span))
        {
            error = InferenceError.Invalid("the request JSON is not valid UTF-8");
            return false;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = options.MaxDepth });
        }
        catch (JsonException ex)
        {
            error = InferenceError.Invalid(ex.Message.Contains("maximum configured depth", StringComparison.Ordinal)
                ? $"the request JSON is nested deeper than {options.MaxDepth} levels"
                : $"the request body is not valid JSON: {ex.Message}");
            return false;
        }

        using (document)
        {
            try
            {
                return TryReadRoot(document.RootElement, binary, model, version, out decoded, out error);
            }
            catch (InvalidOperationException ex)
            {
                // Escapes such as "\ud800" are valid JSON but not valid text; they surface only when a string is read.
                error = InferenceError.Invalid($"the request JSON has a string that is not valid Unicode: {ex.Message}");
                return false;
            }
        }
    }

    private static bool TryReadRoot(JsonElement root, ReadOnlyMemory<byte> binary, string model, string? version, out DecodedInferRequest decoded, out InferenceError? error)
    {
        decoded = null!;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Fail($"the request must be a JSON object, not {TensorDataReader.Describe(root)}", out error);
        }

        if (!root.TryGetProperty("inputs", out var inputsElement) || inputsElement.ValueKind != JsonValueKind.Array)
        {
            return Fail("the request needs an 'inputs' array", out error);
        }

        string? id = null;
        if (root.TryGetProperty("id", out var idElement))
        {
            if (idElement.ValueKind != JsonValueKind.String)
            {
                return Fail("the request 'id' must be a string", out error);
            }

            id = idElement.GetString();
        }

        var binaryDefault = false;
        var requestParameters = default(RequestParameters);
        if (root.TryGetProperty("parameters", out var parameters)
            && (!ProtocolParameters.TryGetBool(parameters, "binary_data_output", "the request", ref binaryDefault, out error)
                || !RequestParameters.TryRead(new JsonParameterSource(parameters), out requestParameters, out error)))
        {
            return false;
        }

        var inputs = new List<InferenceTensor>(inputsElement.GetArrayLength());
        var remaining = binary;
        foreach (var inputElement in inputsElement.EnumerateArray())
        {
            if (!InputReader.TryRead(inputElement, ref remaining, out var tensor, out error))
            {
                return false;
            }

            inputs.Add(tensor);
        }

        if (!remaining.IsEmpty)
        {
            return Fail($"the request body has {remaining.Length} bytes of binary data that no input claims (check each input's binary_data_size)", out error);
        }

        var binaryOutputs = new Dictionary<string, bool>(StringComparer.Ordinal) { [string.Empty] = binaryDefault };
        List<string>? requested = null;
        if (root.TryGetProperty("outputs", out var outputsElement)
            && !TryReadOutputs(outputsElement, binaryDefault, binaryOutputs, out requested, out error))
        {
            return false;
        }

        var request = new InferenceRequest(model, inputs)
        {
            ModelVersion = version,
            Id = id,
            RequestedOutputs = requested,
            Priority = requestParameters.Priority,
            Timeout = requestParameters.Timeout,
            Sequence = requestParameters.Sequence,
            PredictionKey = requestParameters.PredictionKey,
        };
        decoded = new DecodedInferRequest(request, binaryOutputs);
        error = null;
        return true;
    }

    private static bool TryReadOutputs(JsonElement outputs, bool binaryDefault, Dictionary<string, bool> binaryOutputs, out List<string>? requested, out InferenceError? error)
    {
        requested = null;
        if (outputs.ValueKind != JsonValueKind.Array)
        {
            return Fail("the request 'outputs' must be an array", out error);
        }

        requested = [];
        foreach (var output in outputs.EnumerateArray())
        {
            if (output.ValueKind != JsonValueKind.Object || !output.TryGetProperty("name", out var nameElement) || nameElement.ValueKind != JsonValueKind.String)
            {
                return Fail("each requested output must be an object with a string 'name'", out error);
            }

            var name = nameElement.GetString()!;
            var binary = binaryDefault;
            if (output.TryGetProperty("parameters", out var parameters)
                && !ProtocolParameters.TryGetBool(parameters, "binary_data", $"output '{name}'", ref binary, out error))
            {
                return false;
            }

            requested.Add(name);
            binaryOutputs[name] = binary;
        }

        if (requested.Count == 0)
        {
            // An empty list asks for nothing in particular: every output, as when 'outputs' is absent.
            requested = null;
        }

        error = null;
        return true;
    }

    internal static bool Fail(string message, out InferenceError? error)
    {
        error = InferenceError.Invalid(message);
        return false;
    }
}
