using Augur.Tensors;

namespace Augur.Models;

/// <summary>An input or output declared in config.json.</summary>
/// <param name="Name">The graph's tensor name.</param>
/// <param name="DataType">The element type; must equal the graph's.</param>
/// <param name="Dims">The shape without the batch dimension when <c>max_batch_size</c> &gt; 0 (as in Triton); -1 means any size.</param>
public sealed record TensorConfig(string Name, DataType DataType, long[] Dims);
