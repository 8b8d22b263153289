using System.Text.Json;

namespace Augur.Models;

/// <summary>Reads config.json's <c>backend</c>, <c>isolation</c> and <c>backend_settings</c>.</summary>
internal static class BackendConfigReader
{
    /// <summary>A backend or isolation name: lower-case letters, digits and underscores.</summary>
    public static string ReadName(JsonElement value, string setting)
    {
        var name = value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new FormatException($"{setting} must be a string");
        return CheckName(name, setting);
    }

    private static string CheckName(string name, string setting) =>
        name.Length > 0 && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_')
            ? name
            : throw new FormatException($"{setting} '{name}' is not a name (lower-case letters, digits and '_')");

    /// <summary>One object per backend name; each is kept (cloned) for its backend to read.</summary>
    public static Dictionary<string, JsonElement> ReadSettings(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("backend_settings must be an object of sections named by backend");
        }

        var sections = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var section in value.EnumerateObject())
        {
            CheckName(section.Name, "backend_settings key");
            sections[section.Name] = section.Value.ValueKind == JsonValueKind.Object
                ? section.Value.Clone()
                : throw new FormatException($"backend_settings.{section.Name} must be an object");
        }

        return sections;
    }
}
