using Augur.Backends;
using Augur.Inference;
using Augur.Models;
using Augur.Tensors;

namespace Augur.Engine;

/// <summary>Runs zero-filled requests through each instance before a version is marked ready.</summary>
internal static class Warmup
{
    /// <summary>Runs the warm-up; returns a warning when it failed on guessed shapes, throws when it failed otherwise.</summary>
    public static async ValueTask<string?> RunAsync(string model, ModelSignature signature, int maxBatchSize, WarmupConfig config, IReadOnlyList<IModelInstance> instances, CancellationToken cancellationToken)
    {
        if (config.Iterations == 0)
        {
            return null;
        }

        try
        {
            await RunCoreAsync(model, signature, maxBatchSize, config, instances, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (InvalidOperationException ex) when (!config.IsExplicit && HasGuessedDimensions(signature, maxBatchSize))
        {
            return $"{ex.Message} (the shapes were guessed: every variable dimension but the batch was 1; set \"warmup\" in config.json to choose)";
        }
    }

    private static bool HasGuessedDimensions(ModelSignature signature, int maxBatchSize) =>
        signature.Inputs.Any(spec => spec.Shape.Skip(maxBatchSize > 0 ? 1 : 0).Contains(-1L));

    private static async ValueTask RunCoreAsync(string model, ModelSignature signature, int maxBatchSize, WarmupConfig config, IReadOnlyList<IModelInstance> instances, CancellationToken cancellationToken)
    {
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
