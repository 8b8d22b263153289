using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Augur.Batch.Storage;

/// <summary>
/// The JSON form of a stored prediction, shared by <c>augur predictions get</c> and
/// <c>GET /v2/models/{model}/predictions/{key}</c>: <c>{"model_name", "model_version", "key", "job_id", "row_id",
/// "created_at", "inputs": {...}, "outputs": {"name": [values]}}</c>.
/// </summary>
public static class PredictionJson
{
    /// <summary>Writes <paramref name="prediction"/> to <paramref name="buffer"/>.</summary>
    public static void Write(IBufferWriter<byte> buffer, StoredPrediction prediction)
    {
        using var writer = new Utf8JsonWriter(buffer);
        writer.WriteStartObject();
        writer.WriteString("model_name", prediction.Model);
        writer.WriteString("model_version", prediction.ModelVersion);
        writer.WriteString("key", prediction.Key);
        writer.WriteString("job_id", prediction.JobId);
        writer.WriteNumber("row_id", prediction.RowId);
        writer.WriteString("created_at", prediction.CreatedAt);
        writer.WritePropertyName("inputs");
        writer.WriteRawValue(prediction.InputsJson, skipInputValidation: false);
        writer.WritePropertyName("outputs");
        writer.WriteRawValue(prediction.OutputsJson, skipInputValidation: false);
        writer.WriteEndObject();
    }

    /// <summary>The JSON text of <paramref name="prediction"/>.</summary>
    public static string Write(StoredPrediction prediction)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(buffer, prediction);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Null when <paramref name="key"/> can be a stored key; otherwise why not (empty, over 1024 characters, control characters).</summary>
    public static string? CheckKey(string key) =>
        key.Length == 0 ? "the key is empty"
        : key.Length > 1024 ? $"the key is {key.Length} characters long; keys are at most 1024"
        : key.Any(char.IsControl) ? "the key contains control characters"
        : null;
}
