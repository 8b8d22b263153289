using System.Text;
using System.Text.Json;

namespace Augur.OnnxRuntime.Pipelines;

/// <summary>
/// JSON written one way whatever the spacing and the order of properties: objects with their properties sorted
/// (ordinal), no whitespace, values as written. Settings equal in this form are equal settings.
/// </summary>
internal static class CanonicalJson
{
    /// <summary>The canonical text of <paramref name="value"/>; <c>{}</c> when there is no value.</summary>
    public static string Of(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Undefined)
        {
            return "{}";
        }

        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            Write(writer, value);
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    private static void Write(Utf8JsonWriter writer, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in value.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                value.WriteTo(writer);
                break;
        }
    }
}
