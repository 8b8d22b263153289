using Augur.Backends;
using Augur.Models;
using Augur.Tensors;

namespace Augur.Fuzz.Engine;

/// <summary>
/// The model the decoded requests are validated against: a fixed signature with a batch dimension and two datatypes,
/// so every check of the engine's request validator (names, duplicates, datatypes, shapes, batch sizes, requested
/// outputs, priority, timeout) can be reached. Its instances answer with zeros; they need no ML framework.
/// </summary>
internal sealed class FuzzModel : IModel
{
    public const string Name = "fuzz";

    public const int MaxBatchSize = 4;

    public ModelSignature Signature { get; } = new(
        [new TensorSpec("features", DataType.Fp32, [-1, 4]), new TensorSpec("tokens", DataType.Bytes, [-1, 2])],
        [new TensorSpec("score", DataType.Fp32, [-1, 1]), new TensorSpec("label", DataType.Int64, [-1, 1])]);

    public ValueTask<IModelInstance> CreateInstanceAsync(int index, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IModelInstance>(new FuzzModelInstance(Signature));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
