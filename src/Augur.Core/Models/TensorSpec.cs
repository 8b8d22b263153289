using Augur.Tensors;

namespace Augur.Models;

/// <summary>A model input or output as clients see it: name, datatype and shape, where -1 means any size.</summary>
/// <param name="Name">The tensor name.</param>
/// <param name="DataType">The element type.</param>
/// <param name="Shape">The full shape, including the batch dimension (-1) when the model batches.</param>
public sealed record TensorSpec(string Name, DataType DataType, long[] Shape)
{
    /// <inheritdoc />
    public override string ToString() => $"{Name}: {DataType.Name()} {TensorShape.Format(Shape)}";
}
