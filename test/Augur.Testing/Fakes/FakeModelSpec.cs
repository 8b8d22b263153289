using Augur.Backends;
using Augur.Errors;
using Augur.Inference;
using Augur.Models;
using Augur.Tensors;

namespace Augur.Testing.Fakes;

/// <summary>Runs one batch on a fake instance.</summary>
public delegate ValueTask<BatchResult> FakeExecute(FakeCall call);

/// <summary>
/// What a fake model looks like (its graph signature) and does when executed. Build one with the static
/// factories (<see cref="Identity(string, string, DataType, long[])"/>, <see cref="Throwing"/>, <see cref="Failing"/>,
/// <see cref="WrongCount"/>, <see cref="Custom"/>) and adjust it with <c>with</c>.
/// </summary>
public sealed record FakeModelSpec(ModelSignature Signature, FakeExecute Execute)
{
    /// <summary>The compute timings every successful batch reports. Default 1 ms, 2 ms, 3 ms.</summary>
    public static BatchTimings DefaultTimings { get; } = new(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(3));

    /// <summary>When set, loading fails with this message.</summary>
    public string? LoadError { get; init; }

    /// <summary>
    /// When set, the loaded model reports this memory to the engine (<see cref="Augur.Backends.IReportsMemory"/>, through
    /// <see cref="FakeMemoryModel"/>); change it later with <see cref="FakeModel.MemoryBytes"/>. Null: the model does not
    /// report its memory, and the engine counts its version folder's files.
    /// </summary>
    public long? MemoryBytes { get; init; }

    /// <summary>
    /// One input echoed as one output: <c>output = input</c>, both of <paramref name="type"/> and <paramref name="shape"/>
    /// (-1 for dynamic dimensions).
    /// </summary>
    public static FakeModelSpec Identity(string input, string output, DataType type, params long[] shape) =>
        Identity([new TensorSpec(input, type, shape)], [output]);

    /// <summary>Output <c>i</c>, named <c>outputs[i]</c>, echoes input <c>i</c> (same datatype and shape).</summary>
    public static FakeModelSpec Identity(IReadOnlyList<TensorSpec> inputs, IReadOnlyList<string> outputs)
    {
        if (inputs.Count != outputs.Count)
        {
            throw new ArgumentException("identity needs one output name per input", nameof(outputs));
        }

        var signature = new ModelSignature(inputs.ToArray(), inputs.Select((spec, i) => spec with { Name = outputs[i] }).ToArray());
        return new FakeModelSpec(signature, call => ValueTask.FromResult(Echo(call.Batch, signature)));
    }

    /// <summary>A model whose execution throws <see cref="InvalidOperationException"/> with <paramref name="message"/>.</summary>
    public static FakeModelSpec Throwing(ModelSignature signature, string message) =>
        new(signature, _ => throw new InvalidOperationException(message));

    /// <summary>A model whose execution returns <see cref="BatchResult.Failure"/> with <paramref name="error"/>.</summary>
    public static FakeModelSpec Failing(ModelSignature signature, InferenceError error) =>
        new(signature, _ => ValueTask.FromResult(BatchResult.Failure(error)));

    /// <summary>A model that returns <paramref name="resultCount"/> results (each with every output, zero-filled) whatever the batch size.</summary>
    public static FakeModelSpec WrongCount(ModelSignature signature, int resultCount) =>
        new(signature, call =>
        {
            var outputs = signature.Outputs.Select(spec => ZeroTensor(spec, call.Batch[0])).ToArray();
            return ValueTask.FromResult(BatchResult.Success(Enumerable.Repeat<IReadOnlyList<InferenceTensor>>(outputs, resultCount).ToArray(), DefaultTimings));
        });

    /// <summary>A model that runs <paramref name="execute"/>.</summary>
    public static FakeModelSpec Custom(ModelSignature signature, FakeExecute execute) => new(signature, execute);

    /// <summary>
    /// The identity result for <paramref name="batch"/>: for each request, output <c>i</c> of <paramref name="signature"/>
    /// is the request's input named like signature input <c>i</c>, renamed.
    /// </summary>
    public static BatchResult Echo(IReadOnlyList<InferenceRequest> batch, ModelSignature signature)
    {
        var results = new IReadOnlyList<InferenceTensor>[batch.Count];
        for (var r = 0; r < batch.Count; r++)
        {
            var outputs = new InferenceTensor[signature.Outputs.Count];
            for (var i = 0; i < outputs.Length; i++)
            {
                var input = batch[r].FindInput(signature.Inputs[i].Name)
                    ?? throw new InvalidOperationException($"the request has no input '{signature.Inputs[i].Name}'");
                outputs[i] = input.WithName(signature.Outputs[i].Name);
            }

            results[r] = outputs;
        }

        return BatchResult.Success(results, DefaultTimings);
    }

    /// <summary>A zero-filled tensor for <paramref name="spec"/>, taking dynamic dimensions as 1 except the first, which follows the request's first input.</summary>
    private static InferenceTensor ZeroTensor(TensorSpec spec, InferenceRequest request)
    {
        var batch = request.Inputs.Count > 0 && request.Inputs[0].Shape.Length > 0 ? request.Inputs[0].Shape[0] : 1;
        var shape = spec.Shape.Select((d, i) => d >= 0 ? d : i == 0 ? batch : 1).ToArray();
        TensorShape.TryGetElementCount(shape, out var count, out _);
        var data = spec.DataType == DataType.Bytes
            ? BytesElements.Encode(Enumerable.Repeat(Array.Empty<byte>(), (int)count).ToArray())
            : new byte[count * spec.DataType.ElementSize()];
        return InferenceTensor.FromRaw(spec.Name, spec.DataType, shape, data);
    }
}
