using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Augur.Baseline;

/// <summary>
/// <c>POST /v2/models/{model}/infer</c>, written plainly: deserialize with System.Text.Json, build one
/// <see cref="OrtValue"/> per input, run the shared session (sessions allow concurrent runs), serialize the outputs.
/// </summary>
internal sealed class InferHandler(IReadOnlyDictionary<string, LoadedModel> models)
{
    private readonly JsonSerializerOptions _json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public async Task<IResult> InferAsync(string model, HttpRequest request)
    {
        if (!models.TryGetValue(model, out var loaded))
        {
            return Results.NotFound(new ErrorBody($"model '{model}' not found"));
        }

        InferRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<InferRequest>(request.Body, _json, request.HttpContext.RequestAborted);
        }
        catch (JsonException ex)
        {
            return Results.BadRequest(new ErrorBody($"invalid JSON: {ex.Message}"));
        }

        if (body is null || body.Inputs.Count == 0)
        {
            return Results.BadRequest(new ErrorBody("the request has no inputs"));
        }

        var names = new List<string>();
        var values = new List<OrtValue>();
        try
        {
            foreach (var input in body.Inputs)
            {
                names.Add(input.Name);
                values.Add(ToOrtValue(input));
            }

            var outputNames = loaded.Session.OutputNames;
            using var runOptions = new RunOptions();
            using var results = loaded.Session.Run(runOptions, names, values, outputNames);
            var outputs = new List<InferOutput>();
            for (var i = 0; i < results.Count; i++)
            {
                outputs.Add(ToOutput(outputNames[i], results[i]));
            }

            return Results.Json(new InferResponse(model, loaded.Version, body.Id, outputs), _json);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException or OnnxRuntimeException)
        {
            return Results.BadRequest(new ErrorBody(ex.Message));
        }
        finally
        {
            foreach (var value in values)
            {
                value.Dispose();
            }
        }
    }

    private static OrtValue ToOrtValue(InferInput input)
    {
        // ONNX Runtime only rejects too little data; too much would be silently cut.
        var count = input.Shape.Aggregate(1L, (product, dim) => product * dim);
        if (input.Data.GetArrayLength() != count)
        {
            throw new ArgumentException($"input '{input.Name}': the shape needs {count} elements but data has {input.Data.GetArrayLength()}");
        }

        return CreateValue(input);
    }

    private static OrtValue CreateValue(InferInput input) => input.Datatype switch
    {
        "FP32" => OrtValue.CreateTensorValueFromMemory(input.Data.EnumerateArray().Select(e => e.GetSingle()).ToArray(), input.Shape),
        "FP64" => OrtValue.CreateTensorValueFromMemory(input.Data.EnumerateArray().Select(e => e.GetDouble()).ToArray(), input.Shape),
        "INT32" => OrtValue.CreateTensorValueFromMemory(input.Data.EnumerateArray().Select(e => e.GetInt32()).ToArray(), input.Shape),
        "INT64" => OrtValue.CreateTensorValueFromMemory(input.Data.EnumerateArray().Select(e => e.GetInt64()).ToArray(), input.Shape),
        "BYTES" => CreateStrings(input),
        _ => throw new ArgumentException($"input '{input.Name}': unsupported datatype '{input.Datatype}'"),
    };

    /// <summary>BYTES as JSON strings (the protocol's JSON form), one ONNX string element each.</summary>
    private static OrtValue CreateStrings(InferInput input)
    {
        var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, input.Shape);
        var index = 0;
        foreach (var element in input.Data.EnumerateArray())
        {
            value.StringTensorSetElementAt(element.GetString() ?? throw new FormatException($"input '{input.Name}': element {index} is not a string"), index++);
        }

        return value;
    }

    private static InferOutput ToOutput(string name, OrtValue value)
    {
        var info = value.GetTensorTypeAndShape();
        var (datatype, data) = info.ElementDataType switch
        {
            TensorElementType.Float => ("FP32", (object)value.GetTensorDataAsSpan<float>().ToArray()),
            TensorElementType.Double => ("FP64", value.GetTensorDataAsSpan<double>().ToArray()),
            TensorElementType.Int32 => ("INT32", value.GetTensorDataAsSpan<int>().ToArray()),
            TensorElementType.Int64 => ("INT64", value.GetTensorDataAsSpan<long>().ToArray()),
            TensorElementType.String => ("BYTES", value.GetStringTensorAsArray()),
            var other => throw new NotSupportedException($"output '{name}' has element type {other}"),
        };
        return new InferOutput(name, datatype, info.Shape, data);
    }
}
