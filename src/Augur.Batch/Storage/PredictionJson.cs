using System.Buffers;
using System.Text;
using System.Text.Json;
using Augur.Precomputed;

namespace Augur.Batch.Storage;

/// <summary>
/// The JSON form of a stored prediction, shared by <c>augur predictions get</c>,
/// <c>GET /v2/models/{model}/predictions/{key}</c> and the values of a Redis store: <c>{"model_name", "model_version",
/// "key", "job_id", "row_id", "created_at", "inputs": {...}, "outputs": {"name": [values]}}</c>.
/// </summary>
public static class PredictionJson
{
    /// <summary>Writes <paramref name="prediction"/> to <paramref name="buffer"/>.</summary>
    public static void Write(IBufferWriter<byte> buffer, StoredPrediction prediction)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        Write(buffer, prediction.Model, prediction.ModelVersion, prediction.Key, prediction.JobId, prediction.RowId, prediction.CreatedAt, prediction.InputsJson, prediction.OutputsJson);
    }

    /// <summary>Writes <paramref name="prediction"/> of <paramref name="model"/> as a store found it; fields it does not record are left out.</summary>
    public static void Write(IBufferWriter<byte> buffer, string model, PrecomputedPrediction prediction)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        Write(buffer, model, prediction.ModelVersion, prediction.Key, prediction.JobId, prediction.RowId, PredictionStore.Format(prediction.CreatedAt), prediction.InputsJson, prediction.OutputsJson);
    }

    /// <summary>The JSON text of <paramref name="prediction"/>.</summary>
    public static string Write(StoredPrediction prediction)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(buffer, prediction);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Reads what <see cref="Write(StoredPrediction)"/> wrote; false when <paramref name="json"/> is not such a document.</summary>
    public static bool TryRead(string json, out StoredPrediction prediction)
    {
        prediction = null!;
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !TryString(root, "model_name", out var model) || !TryString(root, "model_version", out var version) || !TryString(root, "key", out var key)
                || !TryString(root, "job_id", out var job) || !root.TryGetProperty("row_id", out var row) || !row.TryGetInt64(out var rowId)
                || !TryString(root, "created_at", out var created) || !root.TryGetProperty("inputs", out var inputs) || !root.TryGetProperty("outputs", out var outputs))
            {
                return false;
            }

            prediction = new StoredPrediction(key, job, rowId, model, version, inputs.GetRawText(), outputs.GetRawText(), created);
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return false;
        }
    }

    /// <summary>Null when <paramref name="key"/> can be a stored key; otherwise why not (empty, over 1024 characters, control characters).</summary>
    public static string? CheckKey(string key) =>
        key.Length == 0 ? "the key is empty"
        : key.Length > 1024 ? $"the key is {key.Length} characters long; keys are at most 1024"
        : key.Any(char.IsControl) ? "the key contains control characters"
        : null;

    private static void Write(IBufferWriter<byte> buffer, string model, string version, string key, string? jobId, long? rowId, string createdAt, string? inputsJson, string outputsJson)
    {
        using var writer = new Utf8JsonWriter(buffer);
        writer.WriteStartObject();
        writer.WriteString("model_name", model);
        writer.WriteString("model_version", version);
        writer.WriteString("key", key);
        if (jobId is not null)
        {
            writer.WriteString("job_id", jobId);
        }

        if (rowId is { } row)
        {
            writer.WriteNumber("row_id", row);
        }

        writer.WriteString("created_at", createdAt);
        if (inputsJson is not null)
        {
            writer.WritePropertyName("inputs");
            writer.WriteRawValue(inputsJson, skipInputValidation: false);
        }

        writer.WritePropertyName("outputs");
        writer.WriteRawValue(outputsJson, skipInputValidation: false);
        writer.WriteEndObject();
    }

    private static bool TryString(JsonElement root, string name, out string value)
    {
        value = root.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String ? element.GetString()! : null!;
        return value is not null;
    }
}
