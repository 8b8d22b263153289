using System.Text.Json;
using Augur.Errors;
using Augur.Tensors;

namespace Augur.Benchmarks.Baseline;

/// <summary>Decodes one element of a request's <c>inputs</c>: name, shape, datatype and either JSON data or binary data.</summary>
internal static class InputReader
{
    public static bool TryRead(JsonElement element, ref ReadOnlyMemory<byte> binary, out InferenceTensor tensor, out InferenceError? error)
    {
        tensor = null!;
        if (element.ValueKind != JsonValueKind.Object)
        {
            return JsonDocumentRequestReader.Fail($"each input must be a JSON object, not {TensorDataReader.Describe(element)}", out error);
        }

        if (!element.TryGetProperty("name", out var nameElement) || nameElement.ValueKind != JsonValueKind.String || nameElement.GetString() is not { Length: > 0 } name)
        {
            return JsonDocumentRequestReader.Fail("each input needs a non-empty string 'name'", out error);
        }

        if (!TryReadDataType(element, name, out var dataType, out error) || !TryReadShape(element, name, out var shape, out var count, out error))
        {
            return false;
        }

        long? binarySize = null;
        if (element.TryGetProperty("parameters", out var parameters)
            && !ProtocolParameters.TryGetSize(parameters, "binary_data_size", $"input '{name}'", out binarySize, out error))
        {
            return false;
        }

        var hasData = element.TryGetProperty("data", out var data);
        if (binarySize is { } size)
        {
            return hasData
                ? JsonDocumentRequestReader.Fail($"input '{name}' has both 'data' and binary_data_size; send one or the other", out error)
                : TryTakeBinary(name, dataType, shape, size, ref binary, out tensor, out error);
        }

        if (!hasData)
        {
            return JsonDocumentRequestReader.Fail($"input '{name}' has neither 'data' nor a binary_data_size parameter", out error);
        }

        if (!TensorDataReader.TryRead(data, name, dataType, shape, count, out var bytes, out var problem))
        {
            return JsonDocumentRequestReader.Fail(problem!, out error);
        }

        tensor = InferenceTensor.FromRaw(name, dataType, shape, bytes);
        error = null;
        return true;
    }

    private static bool TryTakeBinary(string name, DataType dataType, long[] shape, long size, ref ReadOnlyMemory<byte> binary, out InferenceTensor tensor, out InferenceError? error)
    {
        tensor = null!;
        if (size > binary.Length)
        {
            return JsonDocumentRequestReader.Fail($"input '{name}': binary_data_size {size} exceeds the {binary.Length} bytes of binary data left in the request body", out error);
        }

        if (!InferenceTensor.TryFromRaw(name, dataType, shape, binary[..(int)size], out tensor, out var problem))
        {
            return JsonDocumentRequestReader.Fail($"input '{name}': binary_data_size {size} disagrees with the shape: {problem}", out error);
        }

        binary = binary[(int)size..];
        error = null;
        return true;
    }

    private static bool TryReadDataType(JsonElement element, string name, out DataType dataType, out InferenceError? error)
    {
        dataType = DataType.Invalid;
        if (!element.TryGetProperty("datatype", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
        {
            return JsonDocumentRequestReader.Fail($"input '{name}' needs a string 'datatype'", out error);
        }

        if (!DataTypes.TryParse(typeElement.GetString(), out dataType))
        {
            return JsonDocumentRequestReader.Fail(
                $"input '{name}' has unknown datatype '{typeElement.GetString()}'; expected one of {string.Join(", ", DataTypes.All.Select(t => t.Name()))}", out error);
        }

        error = null;
        return true;
    }

    private static bool TryReadShape(JsonElement element, string name, out long[] shape, out long count, out InferenceError? error)
    {
        shape = [];
        count = 0;
        if (!element.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
        {
            return JsonDocumentRequestReader.Fail($"input '{name}' needs a 'shape' array", out error);
        }

        shape = new long[shapeElement.GetArrayLength()];
        var i = 0;
        foreach (var dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out shape[i]))
            {
                return JsonDocumentRequestReader.Fail($"input '{name}': shape dimension {i} is {TensorDataReader.Describe(dim)}, not an integer", out error);
            }

            i++;
        }

        if (!TensorShape.TryGetElementCount(shape, out count, out var problem))
        {
            return JsonDocumentRequestReader.Fail($"input '{name}': {problem}", out error);
        }

        error = null;
        return true;
    }
}
