using System.Text.Json;
using Augur.Models;
using Augur.Tensors;

namespace Augur.Batch.Mapping;

/// <summary>
/// Binds a model's inputs to input columns. By default an input takes the column of the same name (one value, a list
/// column, or a JSON array). A map entry <c>INPUT=COLUMNS</c> names the columns instead: one column, a comma-separated
/// list (<c>a,b,c</c>), or a range in header order (<c>f0..f29</c>), which fills an input of shape [N, 30] from 30
/// columns. A mapping file is a JSON object of the same entries: <c>{"features": "f0..f29"}</c> or
/// <c>{"features": ["a", "b"]}</c>.
/// </summary>
public static class InputMapping
{
    /// <summary>Parses <c>INPUT=COLUMNS</c> entries and a mapping file's entries into input name → column spec.</summary>
    public static IReadOnlyDictionary<string, string> Parse(IEnumerable<string> entries, string? mappingFile)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (mappingFile is not null)
        {
            if (!File.Exists(mappingFile))
            {
                throw new BatchJobException(BatchExitCode.UsageError, $"mapping file '{mappingFile}' does not exist");
            }

            try
            {
                using var document = JsonDocument.Parse(File.ReadAllText(mappingFile));
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw new BatchJobException(BatchExitCode.UsageError, $"mapping file '{mappingFile}' must hold a JSON object of input name to column(s)");
                }

                foreach (var property in document.RootElement.EnumerateObject())
                {
                    map[property.Name] = property.Value.ValueKind switch
                    {
                        JsonValueKind.String => property.Value.GetString()!,
                        JsonValueKind.Array when property.Value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) =>
                            string.Join(',', property.Value.EnumerateArray().Select(e => e.GetString())),
                        _ => throw new BatchJobException(BatchExitCode.UsageError, $"mapping file '{mappingFile}': input '{property.Name}' must map to a column name, a range \"a..b\" or an array of column names"),
                    };
                }
            }
            catch (JsonException ex)
            {
                throw new BatchJobException(BatchExitCode.UsageError, $"mapping file '{mappingFile}' is not valid JSON: {ex.Message}", ex);
            }
        }

        foreach (var entry in entries)
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || equals == entry.Length - 1)
            {
                throw new BatchJobException(BatchExitCode.UsageError, $"--map '{entry}' is not INPUT=COLUMNS (e.g. features=f0..f29 or features=a,b,c)");
            }

            map[entry[..equals].Trim()] = entry[(equals + 1)..].Trim();
        }

        return map;
    }

    /// <summary>Binds every input of <paramref name="signature"/>; throws a usage error naming the input and what is wrong.</summary>
    public static IReadOnlyList<InputBinding> Bind(ModelSignature signature, bool batches, IReadOnlyList<string> columns, IReadOnlyDictionary<string, string> map)
    {
        foreach (var name in map.Keys)
        {
            if (!signature.Inputs.Any(i => i.Name == name))
            {
                throw new BatchJobException(BatchExitCode.UsageError, $"the mapping names input '{name}', which the model does not have (inputs: {string.Join(", ", signature.Inputs.Select(i => i.Name))})");
            }
        }

        var ordinals = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < columns.Count; i++)
        {
            ordinals.TryAdd(columns[i], i);
        }

        var bindings = new List<InputBinding>();
        foreach (var input in signature.Inputs)
        {
            var rowShape = batches ? input.Shape[1..] : input.Shape;
            if (rowShape.Any(d => d < 0))
            {
                throw new BatchJobException(BatchExitCode.UsageError, $"input '{input.Name}' has shape {TensorShape.Format(input.Shape)}: batch jobs need every dimension but the batch dimension fixed");
            }

            var elements = checked((int)rowShape.Aggregate(1L, (a, d) => a * d));
            string[] names;
            if (map.TryGetValue(input.Name, out var spec))
            {
                names = Expand(spec, columns, input.Name);
            }
            else if (ordinals.ContainsKey(input.Name))
            {
                names = [input.Name];
            }
            else
            {
                throw new BatchJobException(BatchExitCode.UsageError,
                    $"input '{input.Name}' ({input.DataType.Name()} {TensorShape.Format(input.Shape)}) has no column of that name; map columns to it with --map {input.Name}=COLUMNS " +
                    $"(columns: {Preview(columns)})");
            }

            foreach (var name in names)
            {
                if (!ordinals.ContainsKey(name))
                {
                    throw new BatchJobException(BatchExitCode.UsageError, $"input '{input.Name}' is mapped to column '{name}', which the input does not have (columns: {Preview(columns)})");
                }
            }

            if (names.Length > 1 && names.Length != elements)
            {
                throw new BatchJobException(BatchExitCode.UsageError,
                    $"input '{input.Name}' needs {elements} values per row ({TensorShape.Format(input.Shape)}) but is mapped to {names.Length} columns");
            }

            if (input.DataType == DataType.Bytes && elements != 1)
            {
                throw new BatchJobException(BatchExitCode.UsageError, $"input '{input.Name}' is BYTES with {elements} elements per row; batch jobs fill BYTES inputs of one element per row only");
            }

            bindings.Add(new InputBinding(input, names, names.Select(n => ordinals[n]).ToArray(), elements, rowShape));
        }

        return bindings;
    }

    private static string[] Expand(string spec, IReadOnlyList<string> columns, string input)
    {
        var range = spec.IndexOf("..", StringComparison.Ordinal);
        if (range > 0)
        {
            var (first, last) = (spec[..range].Trim(), spec[(range + 2)..].Trim());
            var from = IndexOf(columns, first, input);
            var to = IndexOf(columns, last, input);
            if (to < from)
            {
                throw new BatchJobException(BatchExitCode.UsageError, $"input '{input}': column '{last}' comes before '{first}' in the input, so '{spec}' is empty");
            }

            return columns.Skip(from).Take(to - from + 1).ToArray();
        }

        return spec.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
    }

    private static int IndexOf(IReadOnlyList<string> columns, string name, string input)
    {
        for (var i = 0; i < columns.Count; i++)
        {
            if (columns[i] == name)
            {
                return i;
            }
        }

        throw new BatchJobException(BatchExitCode.UsageError, $"input '{input}' is mapped to a range from or to column '{name}', which the input does not have (columns: {Preview(columns)})");
    }

    private static string Preview(IReadOnlyList<string> columns) =>
        columns.Count <= 12 ? string.Join(", ", columns) : string.Join(", ", columns.Take(12)) + $", ... ({columns.Count} in all)";
}
