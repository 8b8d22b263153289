using Augur.Tensors;

namespace Augur.OnnxRuntime.Pipelines.Featurizers;

/// <summary>The checks the featurizers share: how many inputs, and the datatype and [B, N] shape of each.</summary>
internal static class FeaturizerInputs
{
    /// <summary>Null when there are <paramref name="count"/> inputs; else why not.</summary>
    public static string? Count(string kind, IReadOnlyList<PipelineTensor> inputs, int count) =>
        inputs.Count == count ? null : $"{kind} reads {count} tensor{(count == 1 ? "" : "s")}, but inputs lists {inputs.Count}";

    /// <summary>
    /// Null when <paramref name="input"/> is a matrix [B, <paramref name="columns"/>] (null: any width) of one of
    /// <paramref name="types"/>; else why not, naming the tensor and what <paramref name="kind"/> reads.
    /// </summary>
    public static string? Matrix(string kind, PipelineTensor input, DataType[] types, long? columns = null)
    {
        var expected = $"{string.Join(" or ", types.Select(t => t.Name()))} [B, {(columns is { } n ? FeaturizerSettings.Format(n) : "N")}]";
        if (!types.Contains(input.DataType))
        {
            return $"{kind} reads {expected}, but {input.Describe()} is {input.DataType.Name()}";
        }

        if (input.Shape.Length != 2)
        {
            return $"{kind} reads {expected}, but {input.Describe()} has {input.Shape.Length} dimensions";
        }

        if (columns is { } width && input.Shape[1] != -1 && input.Shape[1] != width)
        {
            return $"{kind} reads {expected}, but {input.Describe()} has {FeaturizerSettings.Format(input.Shape[1])} columns";
        }

        return null;
    }

    /// <summary>Null when a run's <paramref name="input"/> has <paramref name="columns"/> columns; else why not.</summary>
    public static string? Columns(string kind, InferenceTensor input, long columns) =>
        input.Shape.Length == 2 && input.Shape[1] == columns
            ? null
            : $"{kind} reads [B, {FeaturizerSettings.Format(columns)}], but tensor '{input.Name}' has shape {TensorShape.Format(input.Shape)}";
}
