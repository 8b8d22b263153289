using Augur.Tensors;

namespace Augur.Models;

/// <summary>
/// Combines the graph's own signature with config.json into the signature clients see. With no config,
/// the graph's names, datatypes and shapes are used and a dynamic first dimension on every input and
/// output means the model batches (<see cref="ModelConfig.DefaultMaxBatchSize"/>).
/// </summary>
public static class SignatureResolver
{
    /// <summary>Resolves the served signature and batch size, or explains the disagreement between config and graph.</summary>
    public static bool TryResolve(ModelSignature graph, ModelConfig config, out ModelSignature signature, out int maxBatchSize, out string? problem)
    {
        signature = graph;
        var batchable = graph.Inputs.Concat(graph.Outputs).All(t => t.Shape.Length > 0 && t.Shape[0] == -1);
        maxBatchSize = config.MaxBatchSize ?? (batchable ? ModelConfig.DefaultMaxBatchSize : 0);
        if (maxBatchSize > 0 && !batchable)
        {
            var fixedTensor = graph.Inputs.Concat(graph.Outputs).First(t => t.Shape.Length == 0 || t.Shape[0] != -1);
            problem = $"max_batch_size {maxBatchSize} needs a dynamic first dimension on every input and output, but {fixedTensor} has none";
            return false;
        }

        if (!TryApply(graph.Inputs, config.Inputs, maxBatchSize, "input", out var inputs, out problem)
            || !TryApply(graph.Outputs, config.Outputs, maxBatchSize, "output", out var outputs, out problem))
        {
            return false;
        }

        signature = new ModelSignature(inputs, outputs);
        return true;
    }

    private static bool TryApply(
        IReadOnlyList<TensorSpec> graph, IReadOnlyList<TensorConfig>? declared, int maxBatchSize, string kind, out TensorSpec[] resolved, out string? problem)
    {
        resolved = graph.ToArray();
        problem = null;
        if (declared is null)
        {
            return true;
        }

        foreach (var tensor in declared)
        {
            var index = Array.FindIndex(resolved, t => t.Name == tensor.Name);
            if (index < 0)
            {
                problem = $"config.json declares {kind} '{tensor.Name}', but the model's {kind}s are: {string.Join(", ", graph.Select(t => t.Name))}";
                return false;
            }

            var actual = resolved[index];
            if (actual.DataType != tensor.DataType)
            {
                problem = $"config.json declares {kind} '{tensor.Name}' as {tensor.DataType.Name()}, but the model has {actual.DataType.Name()}";
                return false;
            }

            long[] shape = maxBatchSize > 0 ? [-1, .. tensor.Dims] : tensor.Dims;
            if (!TensorShape.Matches(actual.Shape, shape))
            {
                problem = $"config.json declares {kind} '{tensor.Name}' with shape {TensorShape.Format(shape)}"
                    + (maxBatchSize > 0 ? " (batch dimension included)" : string.Empty)
                    + $", but the model has {TensorShape.Format(actual.Shape)}";
                return false;
            }

            resolved[index] = actual with { Shape = shape };
        }

        return true;
    }
}
