namespace Augur.Tensors;

/// <summary>
/// The tensor datatypes of the Open Inference Protocol. The names (see <see cref="DataTypes.Name"/>)
/// are the protocol's: <c>BOOL</c>, <c>UINT8</c> ... <c>FP16</c>, <c>BF16</c>, <c>FP32</c>, <c>FP64</c>, <c>BYTES</c>.
/// </summary>
public enum DataType
{
    /// <summary>Not a valid datatype; the default value of the enum.</summary>
    Invalid = 0,
    /// <summary>Boolean, one byte per element (0 or 1).</summary>
    Bool,
    /// <summary>Unsigned 8-bit integer.</summary>
    UInt8,
    /// <summary>Unsigned 16-bit integer.</summary>
    UInt16,
    /// <summary>Unsigned 32-bit integer.</summary>
    UInt32,
    /// <summary>Unsigned 64-bit integer.</summary>
    UInt64,
    /// <summary>Signed 8-bit integer.</summary>
    Int8,
    /// <summary>Signed 16-bit integer.</summary>
    Int16,
    /// <summary>Signed 32-bit integer.</summary>
    Int32,
    /// <summary>Signed 64-bit integer.</summary>
    Int64,
    /// <summary>IEEE 754 half precision (<see cref="Half"/>).</summary>
    Fp16,
    /// <summary>bfloat16: the upper 16 bits of an IEEE 754 single.</summary>
    Bf16,
    /// <summary>IEEE 754 single precision.</summary>
    Fp32,
    /// <summary>IEEE 754 double precision.</summary>
    Fp64,
    /// <summary>Variable-length byte strings; serialized as a 4-byte little-endian length then the bytes.</summary>
    Bytes,
}
