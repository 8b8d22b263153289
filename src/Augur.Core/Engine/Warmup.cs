using Augur.Backends;
using Augur.Inference;
using Augur.Models;
using Augur.Tensors;

namespace Augur.Engine;

/// <summary>Runs zero-filled requests through each instance before a version is marked ready.</summary>
internal static class Warmup
{
    public static async ValueTask RunAsync(string model, ModelSignature signature, int maxBatchSize, WarmupConfig config, IReadOnlyList<IModelInstance> instances, CancellationToken cancellationToken)
    {
        if (config.Iterations == 0)
        {
            return;
        }

        var request = new InferenceRequest(model, signature.Inputs.Select(spec => ZeroTensor(spec, maxBatchSize > 0 ? Math.Min(config.BatchSize, maxBatchSize) : 1, maxBatchSize > 0)).ToArray());
        foreach (var instance in instances)
        {
            for (var i = 0; i < config.Iterations; i++)
            {
                var result = await instance.ExecuteAsync([request], cancellationToken).ConfigureAwait(false);
                if (result.Error is not null)
                {
                    throw new InvalidOperationException($"warm-up failed: {result.Error.Message}");
                }

                if (result.Outputs is not { Count: 1 } || result.Outputs[0].Count != signature.Outputs.Count)
                {
                    throw new InvalidOperationException("warm-up failed: the backend returned the wrong number of results");
                }
            }
        }
    }

    private static InferenceTensor ZeroTensor(TensorSpec spec, int batchSize, bool batched)
    {
        var shape = spec.Shape.Select((d, i) => d >= 0 ? d : (batched && i == 0 ? batchSize : 1)).ToArray();
        TensorShape.TryGetElementCount(shape, out var count, out _);
        var data = spec.DataType == DataType.Bytes
            ? BytesElements.Encode(Enumerable.Repeat(Array.Empty<byte>(), (int)count).ToArray())
            : new byte[count * spec.DataType.ElementSize()];
        return InferenceTensor.FromRaw(spec.Name, spec.DataType, shape, data);
    }
}
