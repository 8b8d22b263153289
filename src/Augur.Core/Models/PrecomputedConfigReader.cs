using System.Text.Json;

namespace Augur.Models;

/// <summary>
/// Reads config.json's <c>precomputed</c>:
/// <code>
/// "precomputed": { "source": "predictions.db", "max_age_seconds": 86400,
///                  "key_input": "user_id", "write_back": true, "timeout_microseconds": 100000 }
/// </code>
/// </summary>
internal static class PrecomputedConfigReader
{
    private const string Section = "precomputed";

    public static PrecomputedConfig Read(JsonElement value)
    {
        ModelConfigReader.Expect(value, JsonValueKind.Object, Section);
        string? source = null;
        TimeSpan? maxAge = null;
        string? keyInput = null;
        var writeBack = false;
        var timeout = PrecomputedConfig.DefaultTimeout;
        foreach (var property in value.EnumerateObject())
        {
            var name = $"{Section}.{property.Name}";
            var v = property.Value;
            switch (property.Name)
            {
                case "source":
                    source = ReadString(v, name);
                    break;
                case "max_age_seconds":
                    maxAge = TimeSpan.FromSeconds(ModelConfigReader.ReadInt(v, name, min: 1));
                    break;
                case "key_input":
                    keyInput = ReadString(v, name);
                    break;
                case "write_back":
                    writeBack = v.ValueKind is JsonValueKind.True or JsonValueKind.False
                        ? v.GetBoolean()
                        : throw new FormatException($"{name} must be true or false, not {v.GetRawText()}");
                    break;
                case "timeout_microseconds":
                    timeout = TimeSpan.FromMicroseconds(ModelConfigReader.ReadInt(v, name, min: 1, max: (int)PrecomputedConfig.MaxTimeout.TotalMicroseconds));
                    break;
                default:
                    throw new FormatException($"unknown setting '{name}'");
            }
        }

        if (source is null)
        {
            throw new FormatException($"{Section} needs 'source': the SQLite file (relative to the model folder), postgres:// or redis:// URI that holds the predictions");
        }

        if (maxAge is null)
        {
            throw new FormatException($"{Section} needs 'max_age_seconds': how old a stored prediction may be and still answer");
        }

        return new PrecomputedConfig { Source = source, MaxAge = maxAge.Value, KeyInput = keyInput, WriteBack = writeBack, Timeout = timeout };
    }

    private static string ReadString(JsonElement value, string name) =>
        value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text && !string.IsNullOrWhiteSpace(text)
            ? text
            : throw new FormatException($"{name} must be a non-empty string, not {value.GetRawText()}");
}
