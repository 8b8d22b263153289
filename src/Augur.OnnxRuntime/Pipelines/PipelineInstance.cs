using Augur.Backends;
using Augur.Errors;
using Augur.Inference;
using Augur.OnnxRuntime.Backend;
using Augur.OnnxRuntime.Pipelines.Sparse;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Pipelines;

/// <summary>
/// Runs one batch through a pipeline: the requests' inputs joined along the first dimension, each step in execution
/// order on the whole batch (ONNX steps in their own ONNX Runtime session, featurizers in C#, a featurizer of the shared
/// prefix through its <see cref="SharedStep"/>, with the batches of other pipelines), and the outputs split back by each
/// request's batch size. Runs one batch at a time, as the engine guarantees.
/// </summary>
/// <remarks>
/// A sparse linear head (design note 0017) runs in place of its ONNX step: the featurizer steps that make its input are
/// skipped where they stand and run sparse at the head (through a shared step of their own when they are the prefix's),
/// then the head in C#.
/// </remarks>
internal sealed class PipelineInstance(string model, PipelinePlan plan, IReadOnlyDictionary<string, OnnxModelInstance> sessions,
    IReadOnlyDictionary<string, SharedStep> shared, TimeProvider time, IReadOnlyDictionary<string, SparseLinearStep>? sparseSteps = null) : IModelInstance
{
    private readonly IReadOnlyDictionary<string, SparseLinearStep> _sparse = sparseSteps ?? new Dictionary<string, SparseLinearStep>();
    private readonly HashSet<string> _runAtHead = (sparseSteps ?? new Dictionary<string, SparseLinearStep>()).Values
        .SelectMany(s => s.Featurization.Steps).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);

    public async ValueTask<BatchResult> ExecuteAsync(IReadOnlyList<InferenceRequest> batch, CancellationToken cancellationToken)
    {
        var start = time.GetTimestamp();
        if (TextInputCheck.Check(model, plan, batch) is { } invalid)
        {
            return BatchResult.Failure(invalid);
        }

        var values = new Dictionary<string, InferenceTensor>(plan.Tensors.Count, StringComparer.Ordinal);
        foreach (var input in plan.Signature.Inputs)
        {
            values.Add(input.Name, TensorRows.Concat(batch.Select(r => r.FindInput(input.Name)!).ToArray(), input.Name));
        }

        var rows = batch.Select(r => r.Inputs[0].Shape[0]).ToArray();
        var total = rows.Sum();
        var inferStart = time.GetTimestamp();
        foreach (var step in plan.Order)
        {
            if (_runAtHead.Contains(step.Name))
            {
                continue;
            }

            var error = step switch
            {
                OnnxStep onnx when _sparse.TryGetValue(onnx.Name, out var sparse) => await RunAsync(sparse, shared.GetValueOrDefault(onnx.Name), values).ConfigureAwait(false),
                FeaturizerStep featurizer when shared.TryGetValue(featurizer.Name, out var node) => await RunAsync(featurizer, node, values).ConfigureAwait(false),
                FeaturizerStep featurizer => Run(featurizer, values),
                OnnxStep onnx => await RunAsync(onnx, values, cancellationToken).ConfigureAwait(false),
                _ => throw new InvalidOperationException($"unknown step type {step.GetType().Name}"),
            };
            if (error is not null)
            {
                return BatchResult.Failure(error);
            }

            foreach (var tensor in step.Defines)
            {
                var value = values[tensor];
                if (value.Shape.Length == 0 || value.Shape[0] != total)
                {
                    return BatchResult.Failure(new InferenceError(ErrorCode.Internal,
                        $"model '{model}': {step.Describe()} made tensor '{tensor}' with {(value.Shape.Length == 0 ? 0 : value.Shape[0])} rows for a batch of {total} samples"));
                }
            }
        }

        var outputStart = time.GetTimestamp();
        // Every step's tensors were checked to have the batch's rows above.
        var results = TensorRows.SplitPerRequest(plan.Signature.Outputs.Select(o => values[o.Name]).ToArray(), rows, out _)!;

        var end = time.GetTimestamp();
        return BatchResult.Success(results, new BatchTimings(time.GetElapsedTime(start, inferStart), time.GetElapsedTime(inferStart, outputStart), time.GetElapsedTime(outputStart, end)));
    }

    private InferenceError? Run(FeaturizerStep step, Dictionary<string, InferenceTensor> values)
    {
        var inputs = step.Inputs.Select(t => values[t]).ToArray();
        if (!step.Featurizer.TryRun(inputs, step.Output, out var output, out var problem))
        {
            // Only a dynamic dimension the plan could not check gets here: the request's shape.
            return InferenceError.Invalid($"model '{model}': {step.Describe()}: {problem}");
        }

        values.Add(step.Output, output);
        return null;
    }

    private async ValueTask<InferenceError?> RunAsync(FeaturizerStep step, SharedStep node, Dictionary<string, InferenceTensor> values)
    {
        var outcome = await node.RunAsync(step.Inputs.Select(t => values[t]).ToArray(), step.Output).ConfigureAwait(false);
        if (outcome.Output is null)
        {
            return InferenceError.Invalid($"model '{model}': {step.Describe()}: {outcome.Problem}");
        }

        values.Add(step.Output, outcome.Output);
        return null;
    }

    private async ValueTask<InferenceError?> RunAsync(SparseLinearStep step, SharedStep? node, Dictionary<string, InferenceTensor> values)
    {
        var leaves = step.Featurization.Leaves.Select(t => values[t]).ToArray();
        SparseRows? rows;
        string? problem;
        if (node is not null)
        {
            var outcome = await node.RunAsync(leaves, step.Step.Inputs[0].Tensor).ConfigureAwait(false);
            rows = outcome.Output is { } packed ? SparseRows.FromTensor(packed, step.Featurization.Width) : null;
            problem = outcome.Problem;
        }
        else
        {
            step.Featurization.TryRunSparse(leaves, out rows, out problem);
        }

        if (rows is null)
        {
            // The problem names the featurizer step, as the dense run's does.
            return InferenceError.Invalid($"model '{model}': {problem}");
        }

        if (!step.TryOutputs(rows, out var outputs, out problem))
        {
            // An id beyond an embedding bag's table: the request's, worded as the step's ONNX Runtime run would be.
            return InferenceError.Invalid($"{step.Step.Describe()}: model '{model}' could not run on this input: {problem}");
        }

        foreach (var output in outputs)
        {
            values.Add(output.Name, output);
        }

        return null;
    }

    private async ValueTask<InferenceError?> RunAsync(OnnxStep step, Dictionary<string, InferenceTensor> values, CancellationToken cancellationToken)
    {
        var inputs = step.Inputs.Select(i => values[i.Tensor].WithName(i.Graph)).ToArray();
        // One request holding the whole batch: its numeric inputs are pinned and passed without a copy.
        var result = await sessions[step.Name].ExecuteAsync([new InferenceRequest(model, inputs)], cancellationToken).ConfigureAwait(false);
        if (result.Error is { } error)
        {
            return error with { Message = $"{step.Describe()}: {error.Message}" };
        }

        var outputs = result.Outputs![0];
        for (var i = 0; i < step.Outputs.Count; i++)
        {
            values.Add(step.Outputs[i].Tensor, outputs[i].WithName(step.Outputs[i].Tensor));
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var session in sessions.Values)
        {
            await session.DisposeAsync().ConfigureAwait(false);
        }
    }
}
