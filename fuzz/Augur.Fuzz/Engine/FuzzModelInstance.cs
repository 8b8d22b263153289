using Augur.Backends;
using Augur.Inference;
using Augur.Models;
using Augur.Tensors;

namespace Augur.Fuzz.Engine;

/// <summary>Answers each request of a batch with zero-filled outputs of its batch size.</summary>
internal sealed class FuzzModelInstance(ModelSignature signature) : IModelInstance
{
    public ValueTask<BatchResult> ExecuteAsync(IReadOnlyList<InferenceRequest> batch, CancellationToken cancellationToken)
    {
        var results = new IReadOnlyList<InferenceTensor>[batch.Count];
        for (var r = 0; r < batch.Count; r++)
        {
            // The validator guarantees the input and its batch dimension; a request without them is an engine bug.
            var rows = batch[r].FindInput("features")?.Shape[0]
                ?? throw new InvalidOperationException("the engine passed a request without input 'features' to the model");
            results[r] = signature.Outputs
                .Select(spec => InferenceTensor.FromRaw(spec.Name, spec.DataType, [rows, 1], new byte[rows * spec.DataType.ElementSize()]))
                .ToArray();
        }

        return ValueTask.FromResult(BatchResult.Success(results, default));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
