using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Augur.OnnxRuntime.Pipelines.Sparse;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Pipelines.Featurizers;

/// <summary>
/// <c>one_hot</c>: INT64 [B, 1] or BYTES [B, 1] → FP32 [B, C]: 1 at the index of the row's value in <c>categories</c>
/// (C distinct integers or C distinct strings, matching the input's type; strings compared byte for byte as UTF-8), 0
/// elsewhere; a value not among them gives a row of zeros.
/// </summary>
internal sealed class OneHotFeaturizer : ISparseFeaturizer
{
    public const string Name = "one_hot";

    private readonly Dictionary<long, int>? _integers;

    // Keyed by the UTF-8 bytes read as Latin-1: one char per byte, so any BYTES value looks up exactly, valid UTF-8 or not.
    private readonly Dictionary<string, int>? _strings;

    public OneHotFeaturizer(FeaturizerSettings settings)
    {
        if (!settings.TryGet("categories", out var categories))
        {
            throw settings.Missing("categories", "a non-empty list of distinct integers or of distinct strings");
        }

        if (categories.ValueKind != JsonValueKind.Array || categories.GetArrayLength() == 0)
        {
            throw new FormatException($"setting 'categories' must be a non-empty list of distinct integers or of distinct strings, not {FeaturizerSettings.Shorten(categories)}");
        }

        var items = categories.EnumerateArray().ToArray();
        if (items[0].ValueKind == JsonValueKind.String)
        {
            _strings = new Dictionary<string, int>(StringComparer.Ordinal);
            StringCategories = new string[items.Length];
            for (var i = 0; i < items.Length; i++)
            {
                var text = items[i].ValueKind == JsonValueKind.String
                    ? items[i].GetString()!
                    : throw new FormatException($"setting 'categories' mixes strings and other values: [{i}] is {items[i].GetRawText()}; give all strings or all integers");
                StringCategories[i] = text;
                if (!_strings.TryAdd(Key(Encoding.UTF8.GetBytes(text)), i))
                {
                    throw new FormatException($"setting 'categories' lists {items[i].GetRawText()} twice; categories are distinct");
                }
            }
        }
        else
        {
            _integers = [];
            IntegerCategories = new long[items.Length];
            for (var i = 0; i < items.Length; i++)
            {
                var value = items[i].ValueKind == JsonValueKind.Number && items[i].TryGetInt64(out var number)
                    ? number
                    : throw new FormatException($"setting 'categories'[{i}] must be an integer (INT64) like the others, not {items[i].GetRawText()}");
                IntegerCategories[i] = value;
                if (!_integers.TryAdd(value, i))
                {
                    throw new FormatException($"setting 'categories' lists {value} twice; categories are distinct");
                }
            }
        }
    }

    public string Kind => Name;

    /// <summary>The integer categories in order, or null when they are strings.</summary>
    public long[]? IntegerCategories { get; }

    /// <summary>The string categories in order, or null when they are integers.</summary>
    public string[]? StringCategories { get; }

    /// <summary>C, the number of categories and of output columns.</summary>
    public int Categories => _integers?.Count ?? _strings!.Count;

    private DataType InputType => _integers is null ? DataType.Bytes : DataType.Int64;

    public bool TryInfer(IReadOnlyList<PipelineTensor> inputs, out DataType dataType, [NotNullWhen(true)] out long[]? shape, [NotNullWhen(false)] out string? problem)
    {
        dataType = DataType.Fp32;
        shape = null;
        problem = FeaturizerInputs.Count(Kind, inputs, 1) ?? FeaturizerInputs.Matrix(Kind, inputs[0], [DataType.Int64, DataType.Bytes], 1);
        if (problem is null && inputs[0].DataType != InputType)
        {
            problem = $"{Kind} has {(_integers is null ? "string" : "integer")} categories, so it reads {InputType.Name()} [B, 1], but {inputs[0].Describe()} is {inputs[0].DataType.Name()}";
        }

        if (problem is not null)
        {
            return false;
        }

        shape = [-1, Categories];
        return true;
    }

    public bool TryRun(IReadOnlyList<InferenceTensor> inputs, string output, [NotNullWhen(true)] out InferenceTensor? result, [NotNullWhen(false)] out string? problem)
    {
        result = null;
        var input = inputs[0];
        if ((problem = FeaturizerInputs.Columns(Kind, input, 1)) is not null)
        {
            return false;
        }

        var rows = (int)input.Shape[0];
        var data = new byte[rows * Categories * sizeof(float)];
        var y = MemoryMarshal.Cast<byte, float>(data.AsSpan());
        if (_integers is not null)
        {
            var values = input.AsSpan<long>();
            for (var row = 0; row < rows; row++)
            {
                if (_integers.TryGetValue(values[row], out var index))
                {
                    y[(row * Categories) + index] = 1f;
                }
            }
        }
        else
        {
            var values = input.GetBytesElements();
            for (var row = 0; row < rows; row++)
            {
                if (_strings!.TryGetValue(Key(values[row].Span), out var index))
                {
                    y[(row * Categories) + index] = 1f;
                }
            }
        }

        result = InferenceTensor.FromRaw(output, DataType.Fp32, [rows, Categories], data);
        return true;
    }

    /// <summary>One entry, 1 at the value's category, or none for a value not in the list.</summary>
    public bool TryRunSparse(IReadOnlyList<InferenceTensor> inputs, [NotNullWhen(true)] out SparseRows? result, [NotNullWhen(false)] out string? problem)
    {
        result = null;
        var input = inputs[0];
        if ((problem = FeaturizerInputs.Columns(Kind, input, 1)) is not null)
        {
            return false;
        }

        var rows = (int)input.Shape[0];
        var starts = new int[rows + 1];
        var indices = new List<int>(rows);
        var longs = _integers is null ? default : input.AsSpan<long>();
        var strings = _integers is null ? input.GetBytesElements() : null;
        for (var row = 0; row < rows; row++)
        {
            var found = _integers is not null ? _integers.TryGetValue(longs[row], out var index) : _strings!.TryGetValue(Key(strings![row].Span), out index);
            if (found)
            {
                indices.Add(index);
            }

            starts[row + 1] = indices.Count;
        }

        result = new SparseRows(Categories, starts, [.. indices], Enumerable.Repeat(1f, indices.Count).ToArray());
        return true;
    }

    private static string Key(ReadOnlySpan<byte> utf8) => Encoding.Latin1.GetString(utf8);
}
