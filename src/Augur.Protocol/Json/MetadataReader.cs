using System.Text.Json;
using Augur.Models;
using Augur.Tensors;

namespace Augur.Protocol.Json;

/// <summary>Reads what clients need from a model metadata response (<c>GET /v2/models/{m}</c>), the counterpart of <see cref="MetadataWriter"/>.</summary>
public static class MetadataReader
{
    /// <summary>
    /// The model's inputs. An unknown datatype reads as <see cref="DataType.Invalid"/>. Throws <see cref="JsonException"/>,
    /// <see cref="KeyNotFoundException"/> or <see cref="InvalidOperationException"/> when the body is not model metadata.
    /// </summary>
    public static TensorSpec[] ReadInputs(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("inputs").EnumerateArray().Select(i => new TensorSpec(
            i.GetProperty("name").GetString()!,
            DataTypes.TryParse(i.GetProperty("datatype").GetString(), out var type) ? type : DataType.Invalid,
            i.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray())).ToArray();
    }
}
