using System.Globalization;
using System.Text.Json;
using Augur.Models;
using Augur.Tensors;

namespace Augur.Cli.Commands;

/// <summary>
/// Turns <c>--input name=v1,v2,...</c> values into a protocol JSON request, taking datatypes and shapes from
/// the model's metadata: a variable dimension (-1) takes whatever size makes the value count fit.
/// </summary>
internal static class InlineInputs
{
    public static bool TryBuild(IReadOnlyList<string> inputs, IReadOnlyList<TensorSpec> specs, out byte[] body, out string? error)
    {
        body = [];
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("inputs");
            foreach (var input in inputs)
            {
                var separator = input.IndexOf('=', StringComparison.Ordinal);
                var name = separator > 0 ? input[..separator] : input;
                var spec = specs.FirstOrDefault(s => s.Name == name);
                if (separator <= 0 || spec is null)
                {
                    error = separator <= 0
                        ? $"--input '{input}' must look like NAME=v1,v2,..."
                        : $"the model has no input '{name}'; its inputs are: {string.Join(", ", specs.Select(s => s.Name))}";
                    return false;
                }

                var values = input[(separator + 1)..].Split(',', StringSplitOptions.TrimEntries);
                if (!TryWriteInput(writer, spec, values, out error))
                {
                    return false;
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        body = stream.ToArray();
        error = null;
        return true;
    }

    private static bool TryWriteInput(Utf8JsonWriter writer, TensorSpec spec, string[] values, out string? error)
    {
        if (!TryFitShape(spec.Shape, values.Length, out var shape))
        {
            error = $"input '{spec.Name}': {values.Length} values do not fit shape {TensorShape.Format(spec.Shape)}";
            return false;
        }

        writer.WriteStartObject();
        writer.WriteString("name", spec.Name);
        writer.WriteString("datatype", spec.DataType.Name());
        writer.WriteStartArray("shape");
        foreach (var dim in shape)
        {
            writer.WriteNumberValue(dim);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("data");
        foreach (var value in values)
        {
            if (spec.DataType == DataType.Bytes)
            {
                writer.WriteStringValue(value);
            }
            else if (spec.DataType == DataType.Bool && bool.TryParse(value, out var flag))
            {
                writer.WriteBooleanValue(flag);
            }
            else if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                if (double.IsFinite(number))
                {
                    writer.WriteNumberValue(number);
                }
                else
                {
                    writer.WriteStringValue(double.IsNaN(number) ? "NaN" : number > 0 ? "Infinity" : "-Infinity");
                }
            }
            else
            {
                error = $"input '{spec.Name}': '{value}' is not a {spec.DataType.Name()} value";
                return false;
            }
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        error = null;
        return true;
    }

    private static bool TryFitShape(long[] modelShape, long count, out long[] shape)
    {
        shape = modelShape.ToArray();
        var known = shape.Where(d => d >= 0).Aggregate(1L, (a, d) => a * d);
        var variable = Array.IndexOf(shape, -1L);
        for (var i = 0; i < shape.Length; i++)
        {
            if (shape[i] == -1)
            {
                shape[i] = 1;
            }
        }

        if (variable >= 0 && known > 0 && count % known == 0)
        {
            shape[variable] = count / known;
        }

        return TensorShape.TryGetElementCount(shape, out var total, out _) && total == count;
    }
}
