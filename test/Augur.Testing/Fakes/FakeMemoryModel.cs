using Augur.Backends;
using Augur.Models;

namespace Augur.Testing.Fakes;

/// <summary>
/// A <see cref="FakeModel"/> that reports its memory (<see cref="IReportsMemory"/>), as a backend whose models run in
/// worker processes reports their resident size. <see cref="FakeBackend"/> serves it for specs that set
/// <see cref="FakeModelSpec.MemoryBytes"/>; the inner model is the one in <see cref="FakeBackend.Loaded"/>.
/// </summary>
public sealed class FakeMemoryModel(FakeModel inner) : IModel, IReportsMemory
{
    /// <summary>The fake model behind this one.</summary>
    public FakeModel Inner => inner;

    /// <inheritdoc />
    public long MemoryBytes => inner.MemoryBytes;

    /// <inheritdoc />
    public ModelSignature Signature => inner.Signature;

    /// <inheritdoc />
    public ValueTask<IModelInstance> CreateInstanceAsync(int index, CancellationToken cancellationToken) => inner.CreateInstanceAsync(index, cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
