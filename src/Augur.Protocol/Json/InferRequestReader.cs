using System.Text.Json;
using Augur.Errors;
using Augur.Inference;
using Augur.Protocol.Parameters;
using Augur.Tensors;

namespace Augur.Protocol.Json;

/// <summary>
/// Decodes an Open Inference Protocol infer request body: JSON, optionally followed by binary tensor data
/// (the binary tensor data extension, with the JSON's length in <c>Inference-Header-Content-Length</c>).
/// Every problem is reported as an <see cref="ErrorCode.InvalidArgument"/> error naming the input.
/// Binary tensors are sliced from the body without a copy, so the body must outlive the request.
/// </summary>
/// <remarks>
/// The JSON is read in one <see cref="Utf8JsonReader"/> pass, each input's data straight into its tensor's bytes;
/// no document is built. Members may come in any order, and a repeated member's last value wins. The whole body is
/// read even after a problem, so the answer does not depend on member order: malformed JSON anywhere (or nesting past
/// <see cref="JsonCodecOptions.MaxDepth"/>) outranks every other problem, and the others are reported in a fixed
/// order: no <c>inputs</c> array, the <c>id</c>, the request's parameters, the first bad input, binary data no input
/// claims, the first bad output.
/// </remarks>
public static class InferRequestReader
{
    private static readonly string[] RequestParameterNames =
        [ProtocolParameters.BinaryDataOutput, "priority", "timeout", "sequence_id", "sequence_start", "sequence_end", "prediction_key"];

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

        var reader = new Utf8JsonReader(json.Span, new JsonReaderOptions { MaxDepth = options.MaxDepth });
        RequestMembers members;
        try
        {
            members = RequestMembers.Read(ref reader, json.Span, binary);
        }
        catch (JsonException ex)
        {
            error = InferenceError.Invalid(ex.Message.Contains("maximum configured depth", StringComparison.Ordinal)
                ? $"the request JSON is nested deeper than {options.MaxDepth} levels"
                : $"the request body is not valid JSON: {ex.Message}");
            return false;
        }
        catch (InvalidOperationException ex)
        {
            // A member name or string whose escapes are not valid Unicode (a lone surrogate), met while comparing or reading it.
            error = InferenceError.Invalid(JsonTokens.InvalidUnicode(ex.Message));
            return false;
        }

        if (!members.TryFinish(model, version, out var request, out var binaryOutputs, out var message))
        {
            return Fail(message!, out error);
        }

        decoded = new DecodedInferRequest(request, binaryOutputs);
        error = null;
        return true;
    }

    internal static bool Fail(string message, out InferenceError? error)
    {
        error = InferenceError.Invalid(message);
        return false;
    }

    /// <summary>What the request object's members said, kept until the end of the body.</summary>
    private sealed class RequestMembers
    {
        private string? rootProblem;
        private bool inputsIsArray;
        private List<InferenceTensor> inputs = [];
        private string? inputProblem;
        private ReadOnlyMemory<byte> unclaimed;
        private string? id;
        private string? idProblem;
        private JsonParameterSource? parameters;
        private List<(string Name, bool? Binary)>? outputs;
        private string? outputsProblem;

        /// <summary>Reads the whole JSON; a syntax error or too deep a nesting throws <see cref="JsonException"/>.</summary>
        public static RequestMembers Read(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, ReadOnlyMemory<byte> binary)
        {
            var members = new RequestMembers();
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                members.rootProblem = $"the request must be a JSON object, not {JsonTokens.Describe(ref reader)}";
                reader.Skip();
            }
            else
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    members.ReadMember(ref reader, json, binary);
                }
            }

            // Past the root value there may be only whitespace; anything else throws here, as a document parse would.
            reader.Read();
            return members;
        }

        private void ReadMember(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, ReadOnlyMemory<byte> binary)
        {
            if (reader.ValueTextEquals("inputs"u8))
            {
                reader.Read();
                ReadInputs(ref reader, json, binary);
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                (id, idProblem) = (null, "the request 'id' must be a string");
                if (reader.TokenType == JsonTokenType.String)
                {
                    var ok = JsonTokens.TryGetString(ref reader, out var text, out idProblem);
                    id = ok ? text : null;
                }

                reader.Skip();
            }
            else if (reader.ValueTextEquals("parameters"u8))
            {
                reader.Read();
                parameters = JsonParameterSource.Read(ref reader, RequestParameterNames);
            }
            else if (reader.ValueTextEquals("outputs"u8))
            {
                reader.Read();
                outputs = RequestedOutputsReader.TryRead(ref reader, out var read, out outputsProblem) ? read : null;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        private void ReadInputs(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, ReadOnlyMemory<byte> binary)
        {
            // A repeated "inputs" starts over: the last one wins, with all the binary data to claim.
            (inputs, inputProblem, unclaimed) = ([], null, binary);
            inputsIsArray = reader.TokenType == JsonTokenType.StartArray;
            if (!inputsIsArray)
            {
                reader.Skip();
                return;
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (inputProblem is not null)
                {
                    // Only the first bad input is reported; the rest is still read through, for the syntax.
                    reader.Skip();
                }
                else if (reader.TokenType != JsonTokenType.StartObject)
                {
                    inputProblem = $"each input must be a JSON object, not {JsonTokens.Describe(ref reader)}";
                    reader.Skip();
                }
                else if (InputReader.TryRead(ref reader, json, ref unclaimed, out var tensor, out inputProblem))
                {
                    inputs.Add(tensor);
                }
            }
        }

        public bool TryFinish(string model, string? version, out InferenceRequest request, out Dictionary<string, bool> binaryOutputs, out string? problem)
        {
            request = null!;
            binaryOutputs = null!;
            if (rootProblem is not null || !inputsIsArray)
            {
                problem = rootProblem ?? "the request needs an 'inputs' array";
                return false;
            }

            if (idProblem is not null)
            {
                problem = idProblem;
                return false;
            }

            var binaryDefault = false;
            var requestParameters = default(RequestParameters);
            if (parameters is not null && !TryReadParameters(parameters, ref binaryDefault, out requestParameters, out problem))
            {
                return false;
            }

            if (inputProblem is not null)
            {
                problem = inputProblem;
                return false;
            }

            if (!unclaimed.IsEmpty)
            {
                problem = $"the request body has {unclaimed.Length} bytes of binary data that no input claims (check each input's binary_data_size)";
                return false;
            }

            if (outputsProblem is not null)
            {
                problem = outputsProblem;
                return false;
            }

            binaryOutputs = new Dictionary<string, bool>(StringComparer.Ordinal) { [string.Empty] = binaryDefault };
            List<string>? requested = null;
            if (outputs is { Count: > 0 })
            {
                // An empty list asks for nothing in particular: every output, as when 'outputs' is absent.
                requested = new List<string>(outputs.Count);
                foreach (var (name, binary) in outputs)
                {
                    requested.Add(name);
                    binaryOutputs[name] = binary ?? binaryDefault;
                }
            }

            request = new InferenceRequest(model, inputs)
            {
                ModelVersion = version,
                Id = id,
                RequestedOutputs = requested,
                Priority = requestParameters.Priority,
                Timeout = requestParameters.Timeout,
                Sequence = requestParameters.Sequence,
                PredictionKey = requestParameters.PredictionKey,
            };
            problem = null;
            return true;
        }

        private static bool TryReadParameters(JsonParameterSource parameters, ref bool binaryDefault, out RequestParameters requestParameters, out string? problem)
        {
            requestParameters = default;
            try
            {
                if (!ProtocolParameters.TryGetBool(parameters, ProtocolParameters.BinaryDataOutput, "the request", ref binaryDefault, out var error)
                    || !RequestParameters.TryRead(parameters, out requestParameters, out error))
                {
                    problem = error!.Message;
                    return false;
                }
            }
            catch (InvalidOperationException ex)
            {
                // A known parameter's string whose escapes are not valid Unicode.
                problem = JsonTokens.InvalidUnicode(ex.Message);
                return false;
            }

            problem = null;
            return true;
        }
    }
}
