using Augur.Models;

namespace Augur.Batch.Mapping;

/// <summary>Which columns fill one model input, and how many elements one row contributes.</summary>
/// <param name="Spec">The model input.</param>
/// <param name="Columns">The column names, in element order.</param>
/// <param name="Ordinals">The columns' ordinals in the row source.</param>
/// <param name="ElementsPerRow">Elements one row contributes (the product of the input's non-batch dimensions).</param>
/// <param name="RowShape">The shape of one row's part of the tensor (the input's shape without the batch dimension).</param>
public sealed record InputBinding(TensorSpec Spec, IReadOnlyList<string> Columns, int[] Ordinals, int ElementsPerRow, long[] RowShape);
