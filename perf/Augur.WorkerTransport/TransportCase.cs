using Augur.Inference;
using Augur.Tensors;

namespace Augur.WorkerTransport;

/// <summary>
/// One measured batch: the same requests sent to the worker and run on the local copy of its model. The batch is one
/// request, as the engine sends it when one large request fills it, or several for a sample model's full batch.
/// </summary>
/// <param name="Name">The row's name, e.g. <c>identity 4 MiB</c>.</param>
/// <param name="Batch">The requests of the one Execute call.</param>
/// <param name="Worker">The worker serving the model.</param>
/// <param name="Local">The same model version loaded in this process.</param>
/// <param name="OutputBytes">The bytes of the batch's outputs.</param>
/// <param name="IsIdentity">True when every output must equal its input (the identity model); otherwise the worker's outputs must equal the local ones.</param>
internal sealed record TransportCase(string Name, IReadOnlyList<InferenceRequest> Batch, WorkerUnderTest Worker, LocalModel Local, int OutputBytes, bool IsIdentity)
{
    /// <summary>The identity model's row: 1,024 FP32 values, so a batch of <c>bytes</c> is bytes / 4 KiB rows.</summary>
    public const int IdentityRowElements = 1024;

    public const int IdentityRowBytes = IdentityRowElements * sizeof(float);

    /// <summary>The bytes of the batch's inputs.</summary>
    public int InputBytes { get; } = Batch.Sum(r => r.Inputs.Sum(i => i.Data.Length));

    /// <summary>One request of <paramref name="bytes"/> (a multiple of 4 KiB) of random FP32 to the identity model.</summary>
    public static TransportCase Identity(int bytes, WorkerUnderTest worker, LocalModel local, Random random)
    {
        var rows = bytes / IdentityRowBytes;
        var data = new byte[bytes];
        random.NextBytes(data);
        var input = InferenceTensor.FromRaw("input", DataType.Fp32, [rows, IdentityRowElements], data);
        return new TransportCase($"identity {Sizes.Format(bytes)}", [new InferenceRequest("identity", [input])], worker, local, bytes, IsIdentity: true);
    }

    /// <summary>
    /// A full batch for a sample model: <paramref name="requests"/> requests of one sample each, random FP32 values in
    /// [0, 1) for every input (the dynamic first dimension is 1). Its <see cref="OutputBytes"/> are 0 until the caller
    /// has run it once and knows them.
    /// </summary>
    public static TransportCase Sample(string model, int requests, WorkerUnderTest worker, LocalModel local, Random random)
    {
        var batch = new InferenceRequest[requests];
        for (var r = 0; r < requests; r++)
        {
            var inputs = new List<InferenceTensor>();
            foreach (var spec in local.Signature.Inputs)
            {
                if (spec.DataType != DataType.Fp32)
                {
                    throw new InvalidOperationException($"sample '{model}' input '{spec.Name}' is {spec.DataType.Name()}; this benchmark fills FP32 inputs only");
                }

                var shape = spec.Shape.Select((d, i) => i == 0 && d < 0 ? 1 : d).ToArray();
                if (shape.Any(d => d < 0))
                {
                    throw new InvalidOperationException($"sample '{model}' input '{spec.Name}' has a dynamic dimension past the first; this benchmark cannot size it");
                }

                var values = new float[shape.Aggregate(1L, (a, d) => a * d)];
                for (var v = 0; v < values.Length; v++)
                {
                    values[v] = random.NextSingle();
                }

                inputs.Add(InferenceTensor.Create(spec.Name, values, shape));
            }

            batch[r] = new InferenceRequest(model, inputs);
        }

        return new TransportCase($"{model} ×{requests}", batch, worker, local, 0, IsIdentity: false);
    }
}
