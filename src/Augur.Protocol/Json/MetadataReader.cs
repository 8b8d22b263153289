using System.Text.Json;
using Augur.Models;
using Augur.Tensors;

namespace Augur.Protocol.Json;

/// <summary>Reads what clients need from a model metadata response (<c>GET /v2/models/{m}</c>), the counterpart of <see cref="MetadataWriter"/>.</summary>
public static class MetadataReader
{
    /// <summary>
    /// The model's inputs. An unknown datatype reads as <see cref="DataType.Invalid"/>. Throws <see cref="JsonException"/>,
    /// <see cref="KeyNotFoundException"/> or <see cref="InvalidOperationException"/> when the body is not model metadata
    /// (not JSON, a member missing, a member of the wrong kind such as a null name or a fractional dimension), and no
    /// other exception, so callers can catch exactly these.
    /// </summary>
    public static TensorSpec[] ReadInputs(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("inputs").EnumerateArray().Select(i => new TensorSpec(
            ReadName(i.GetProperty("name")),
            DataTypes.TryParse(i.GetProperty("datatype").GetString(), out var type) ? type : DataType.Invalid,
            i.GetProperty("shape").EnumerateArray().Select(ReadDimension).ToArray())).ToArray();
    }

    // GetString() reads JSON null as null, which a TensorSpec's name must never be.
    private static string ReadName(JsonElement name) =>
        name.GetString() ?? throw new InvalidOperationException("an input's name is null, not a string");

    // GetInt64() throws FormatException for a number with a fraction or out of range, which callers do not expect.
    private static long ReadDimension(JsonElement dimension) =>
        dimension.ValueKind == JsonValueKind.Number && dimension.TryGetInt64(out var value)
            ? value
            : throw new InvalidOperationException($"a shape dimension is {dimension.GetRawText()}, not a 64-bit integer");
}
