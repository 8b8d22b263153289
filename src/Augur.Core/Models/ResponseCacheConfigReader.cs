using System.Text.Json;

namespace Augur.Models;

/// <summary>Reads config.json's <c>response_cache</c>: <c>{"enable": true, "ttl_seconds": 600}</c>.</summary>
internal static class ResponseCacheConfigReader
{
    private const string Section = "response_cache";

    public static ResponseCacheConfig Read(JsonElement value)
    {
        ModelConfigReader.Expect(value, JsonValueKind.Object, Section);
        bool? enable = null;
        TimeSpan? ttl = null;
        foreach (var property in value.EnumerateObject())
        {
            var name = $"{Section}.{property.Name}";
            switch (property.Name)
            {
                case "enable":
                    enable = property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False
                        ? property.Value.GetBoolean()
                        : throw new FormatException($"{name} must be true or false, not {property.Value.GetRawText()}");
                    break;
                case "ttl_seconds":
                    ttl = TimeSpan.FromSeconds(ModelConfigReader.ReadInt(property.Value, name, min: 1, max: ResponseCacheConfig.MaxTimeToLiveSeconds));
                    break;
                default:
                    throw new FormatException($"unknown setting '{name}' (the settings of {Section} are enable, ttl_seconds)");
            }
        }

        // An empty section would leave a reader unsure whether the cache is on; Triton's needs "enable" too.
        return enable is { } on
            ? new ResponseCacheConfig(on, ttl)
            : throw new FormatException($"{Section} needs \"enable\": true or false");
    }
}
