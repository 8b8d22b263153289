using Microsoft.ML.OnnxRuntime.Tensors;

namespace Augur.OnnxRuntime.Sharing;

/// <summary>
/// One initializer of a model that may be held once for every model that has it.
/// </summary>
/// <param name="Name">The initializer's name in the model's main graph.</param>
/// <param name="Key">The content key: SHA-256 over the ONNX data type, the dimensions and the little-endian bytes.</param>
/// <param name="ElementType">The element type.</param>
/// <param name="Dimensions">The shape.</param>
/// <param name="Data">The bytes, in ONNX's little-endian layout (a slice of the parsed model, or converted from a typed field).</param>
internal sealed record InitializerCandidate(string Name, string Key, TensorElementType ElementType, long[] Dimensions, ReadOnlyMemory<byte> Data);
