using Augur.OnnxRuntime.Onnx.Proto;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Onnx;

/// <summary>Maps Augur datatypes to ONNX <c>TensorProto.DataType</c> element types.</summary>
internal static class OnnxElementTypes
{
    public static int From(DataType type) => (int)(type switch
    {
        DataType.Bool => TensorProto.Types.DataType.Bool,
        DataType.UInt8 => TensorProto.Types.DataType.Uint8,
        DataType.UInt16 => TensorProto.Types.DataType.Uint16,
        DataType.UInt32 => TensorProto.Types.DataType.Uint32,
        DataType.UInt64 => TensorProto.Types.DataType.Uint64,
        DataType.Int8 => TensorProto.Types.DataType.Int8,
        DataType.Int16 => TensorProto.Types.DataType.Int16,
        DataType.Int32 => TensorProto.Types.DataType.Int32,
        DataType.Int64 => TensorProto.Types.DataType.Int64,
        DataType.Fp16 => TensorProto.Types.DataType.Float16,
        DataType.Bf16 => TensorProto.Types.DataType.Bfloat16,
        DataType.Fp32 => TensorProto.Types.DataType.Float,
        DataType.Fp64 => TensorProto.Types.DataType.Double,
        DataType.Bytes => TensorProto.Types.DataType.String,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not a tensor datatype."),
    });
}
