using System.Globalization;
using System.Text.Json;

namespace Augur.OnnxRuntime.Pipelines.Featurizers;

/// <summary>
/// The <c>settings</c> object of one featurizer step, read by name: a setting the featurizer does not know is refused
/// up front, and each typed read names the setting and the accepted values when the value does not fit. Problems are
/// <see cref="FormatException"/>s whose message the reader prefixes with the step.
/// </summary>
internal sealed class FeaturizerSettings
{
    private readonly Dictionary<string, JsonElement> _values = new(StringComparer.Ordinal);

    public FeaturizerSettings(string kind, JsonElement settings, params string[] known)
    {
        Kind = kind;
        if (settings.ValueKind == JsonValueKind.Undefined)
        {
            return;
        }

        if (settings.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"settings must be an object, not {settings.GetRawText()}");
        }

        foreach (var property in settings.EnumerateObject())
        {
            if (!known.Contains(property.Name, StringComparer.Ordinal))
            {
                throw new FormatException(known.Length == 0
                    ? $"unknown setting '{property.Name}': {kind} has no settings"
                    : $"unknown setting '{property.Name}' for {kind}; known: {string.Join(", ", known)}");
            }

            if (!_values.TryAdd(property.Name, property.Value.Clone()))
            {
                throw new FormatException($"setting '{property.Name}' is given twice");
            }
        }
    }

    /// <summary>The featurizer kind, for messages.</summary>
    public string Kind { get; }

    /// <summary>The value of <paramref name="name"/>, or false when it is not given.</summary>
    public bool TryGet(string name, out JsonElement value) => _values.TryGetValue(name, out value);

    /// <summary>An integer from <paramref name="min"/> to <paramref name="max"/>; <paramref name="fallback"/> when not given (null: required).</summary>
    public int Int(string name, int min, int max, int? fallback = null)
    {
        if (!_values.TryGetValue(name, out var value))
        {
            return fallback ?? throw Missing(name, $"an integer from {min} to {max}");
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number >= min && number <= max
            ? number
            : throw new FormatException($"setting '{name}' must be an integer from {min} to {max}, not {value.GetRawText()}");
    }

    /// <summary>A seed: an integer from 0 to 4294967295 (uint32); 0 when not given.</summary>
    public uint Seed(string name)
    {
        if (!_values.TryGetValue(name, out var value))
        {
            return 0;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetUInt32(out var seed)
            ? seed
            : throw new FormatException($"setting '{name}' must be an integer from 0 to {uint.MaxValue} (uint32), not {value.GetRawText()}");
    }

    /// <summary>true or false; <paramref name="fallback"/> when not given.</summary>
    public bool Bool(string name, bool fallback)
    {
        if (!_values.TryGetValue(name, out var value))
        {
            return fallback;
        }

        return value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : throw new FormatException($"setting '{name}' must be true or false, not {value.GetRawText()}");
    }

    /// <summary>A required non-empty list of finite numbers, read as FP32.</summary>
    public float[] Floats(string name)
    {
        if (!_values.TryGetValue(name, out var value))
        {
            throw Missing(name, "a list of numbers");
        }

        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
        {
            throw new FormatException($"setting '{name}' must be a non-empty list of numbers, not {Shorten(value)}");
        }

        var numbers = new float[value.GetArrayLength()];
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetDouble(out var number) || !float.IsFinite((float)number))
            {
                throw new FormatException($"setting '{name}'[{i}] must be a finite FP32 number, not {item.GetRawText()}");
            }

            numbers[i++] = (float)number;
        }

        return numbers;
    }

    /// <summary>The message of a required setting left out.</summary>
    public FormatException Missing(string name, string what) => new($"{Kind} needs setting '{name}' ({what})");

    /// <summary>The JSON of <paramref name="value"/>, cut short for a message.</summary>
    public static string Shorten(JsonElement value)
    {
        var text = value.GetRawText();
        return text.Length <= 60 ? text : string.Concat(text.AsSpan(0, 57), "...");
    }

    /// <summary>An integer written the invariant way, for messages.</summary>
    public static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);
}
