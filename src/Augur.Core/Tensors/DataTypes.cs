namespace Augur.Tensors;

/// <summary>Names, sizes and CLR types of the <see cref="DataType"/> values.</summary>
public static class DataTypes
{
    private static readonly string[] Names =
        ["", "BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16", "BF16", "FP32", "FP64", "BYTES"];

    private static readonly int[] Sizes = [0, 1, 1, 2, 4, 8, 1, 2, 4, 8, 2, 2, 4, 8, 0];

    /// <summary>Every valid datatype, in protocol order.</summary>
    public static IReadOnlyList<DataType> All { get; } = Enum.GetValues<DataType>().Where(t => t != DataType.Invalid).ToArray();

    /// <summary>The protocol name of <paramref name="type"/>, e.g. <c>FP32</c>.</summary>
    public static string Name(this DataType type) => Names[(int)type];

    /// <summary>Bytes per element; 0 for <see cref="DataType.Bytes"/>, whose elements vary in length.</summary>
    public static int ElementSize(this DataType type) => Sizes[(int)type];

    /// <summary>Parses a protocol datatype name (case-sensitive, as the protocol specifies).</summary>
    public static bool TryParse(ReadOnlySpan<char> name, out DataType type)
    {
        for (var i = 1; i < Names.Length; i++)
        {
            if (name.SequenceEqual(Names[i]))
            {
                type = (DataType)i;
                return true;
            }
        }

        type = DataType.Invalid;
        return false;
    }

    /// <summary>The datatype whose elements are stored as <typeparamref name="T"/>.</summary>
    public static DataType Of<T>() where T : unmanaged => typeof(T) switch
    {
        var t when t == typeof(bool) => DataType.Bool,
        var t when t == typeof(byte) => DataType.UInt8,
        var t when t == typeof(ushort) => DataType.UInt16,
        var t when t == typeof(uint) => DataType.UInt32,
        var t when t == typeof(ulong) => DataType.UInt64,
        var t when t == typeof(sbyte) => DataType.Int8,
        var t when t == typeof(short) => DataType.Int16,
        var t when t == typeof(int) => DataType.Int32,
        var t when t == typeof(long) => DataType.Int64,
        var t when t == typeof(Half) => DataType.Fp16,
        var t when t == typeof(BFloat16) => DataType.Bf16,
        var t when t == typeof(float) => DataType.Fp32,
        var t when t == typeof(double) => DataType.Fp64,
        _ => throw new NotSupportedException($"{typeof(T).Name} is not a tensor element type."),
    };
}
