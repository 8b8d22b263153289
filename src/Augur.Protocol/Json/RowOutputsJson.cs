using System.Buffers;
using System.Text;
using System.Text.Json;
using Augur.Models;
using Augur.Tensors;

namespace Augur.Protocol.Json;

/// <summary>
/// The outputs of one row as prediction stores keep them: a JSON object of output name to the row's data, each written
/// by <see cref="TensorJsonWriter"/> (flat, row-major), so a stored row reads exactly as the infer response's data for
/// that row alone: <c>{"probability":[0.6087503],"label":[1]}</c>. Batch jobs write it, precomputed stores read it
/// back into tensors of the signature a version serves, and online answers written back to a store use it too.
/// </summary>
public static class RowOutputsJson
{
    /// <summary>Row <paramref name="row"/> of <paramref name="rows"/> of every output (each output holds <paramref name="rows"/> rows).</summary>
    public static string Write(IReadOnlyList<InferenceTensor> outputs, int row, int rows)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, rows);
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer, JsonWriterDefaults.Options))
        {
            writer.WriteStartObject();
            foreach (var output in outputs)
            {
                writer.WritePropertyName(output.Name);
                var perRow = output.ElementCount / rows;
                TensorJsonWriter.WriteData(writer, output, row * perRow, perRow);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// Decodes the outputs named by <paramref name="outputs"/> from <paramref name="json"/>, in that order, each to its
    /// datatype and shape (one row; a single -1 dimension takes the size the data gives). An output the row does not
    /// hold is left out; one it holds that does not fit (another element count, a value out of range) is left out too,
    /// and <paramref name="problem"/> says why. The result therefore has fewer entries than asked for whenever the row
    /// cannot answer for all of them.
    /// </summary>
    public static IReadOnlyList<InferenceTensor> Read(string json, IReadOnlyList<TensorSpec> outputs, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(outputs);
        problem = null;
        if (outputs.Count == 0)
        {
            return [];
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            problem = $"the stored outputs are not JSON: {ex.Message}";
            return [];
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                problem = $"the stored outputs must be a JSON object, not {TensorDataReader.Describe(document.RootElement)}";
                return [];
            }

            var decoded = new List<InferenceTensor>(outputs.Count);
            foreach (var spec in outputs)
            {
                if (!document.RootElement.TryGetProperty(spec.Name, out var data))
                {
                    continue;
                }

                if (TryDecode(spec, data, out var tensor, out var why))
                {
                    decoded.Add(tensor);
                }
                else
                {
                    problem ??= why;
                }
            }

            return decoded;
        }
    }

    private static bool TryDecode(TensorSpec spec, JsonElement data, out InferenceTensor tensor, out string? problem)
    {
        tensor = null!;
        if (!TryShape(spec, data, out var shape, out problem) || !TensorShape.TryGetElementCount(shape, out var count, out problem))
        {
            problem = $"stored output '{spec.Name}': {problem}";
            return false;
        }

        if (!TensorDataReader.TryRead(data, spec.Name, spec.DataType, shape, count, out var bytes, out problem))
        {
            // The reader words its problems for request inputs.
            problem = problem!.StartsWith("input ", StringComparison.Ordinal) ? "stored output" + problem[5..] : problem;
            return false;
        }

        tensor = InferenceTensor.FromRaw(spec.Name, spec.DataType, shape, bytes);
        return true;
    }

    /// <summary>The spec's shape with its one variable dimension (if any) sized from the flat data.</summary>
    private static bool TryShape(TensorSpec spec, JsonElement data, out long[] shape, out string? problem)
    {
        shape = spec.Shape.ToArray();
        problem = null;
        if (data.ValueKind != JsonValueKind.Array)
        {
            problem = $"data must be a JSON array, not {TensorDataReader.Describe(data)}";
            return false;
        }

        var (variable, variables, known) = (-1, 0, 1L);
        for (var i = 0; i < shape.Length; i++)
        {
            if (shape[i] < 0)
            {
                (variable, variables) = (i, variables + 1);
            }
            else
            {
                known *= shape[i];
            }
        }

        if (variables == 0)
        {
            return true;
        }

        var flat = data.GetArrayLength() == 0 || data[0].ValueKind != JsonValueKind.Array;
        if (variables > 1 || !flat || known == 0)
        {
            problem = $"the stored data cannot size the variable dimensions of {TensorShape.Format(spec.Shape)}";
            return false;
        }

        var length = data.GetArrayLength();
        if (length % known != 0)
        {
            problem = $"{length} elements do not fill shape {TensorShape.Format(spec.Shape)}";
            return false;
        }

        shape[variable] = length / known;
        return true;
    }
}
