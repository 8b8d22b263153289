using System.Runtime.InteropServices;
using System.Text;

namespace Augur.Tensors;

/// <summary>
/// A named tensor: datatype, concrete shape and data. Numeric data is stored little-endian, densely,
/// in row-major order; BYTES data in the length-prefixed form of <see cref="BytesElements"/>.
/// Instances are immutable once created and are validated on creation: the data always agrees with the shape.
/// </summary>
public sealed class InferenceTensor
{
    private InferenceTensor(string name, DataType dataType, long[] shape, long elementCount, ReadOnlyMemory<byte> data)
    {
        Name = name;
        DataType = dataType;
        ShapeArray = shape;
        ElementCount = elementCount;
        Data = data;
    }

    /// <summary>The tensor's name (a model input or output name).</summary>
    public string Name { get; }

    /// <summary>The element type.</summary>
    public DataType DataType { get; }

    /// <summary>The concrete shape; every dimension is ≥ 0.</summary>
    public ReadOnlySpan<long> Shape => ShapeArray;

    /// <summary>The number of elements (the product of the shape).</summary>
    public long ElementCount { get; }

    /// <summary>The raw data (see the type's remarks for the layout).</summary>
    public ReadOnlyMemory<byte> Data { get; }

    internal long[] ShapeArray { get; }

    /// <summary>Creates a numeric tensor from values; the shape defaults to one dimension of <c>values.Length</c>.</summary>
    public static InferenceTensor Create<T>(string name, T[] values, params long[] shape) where T : unmanaged =>
        FromRaw(name, DataTypes.Of<T>(), shape.Length == 0 ? [values.Length] : shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    /// <summary>Creates a BYTES tensor from UTF-8 strings.</summary>
    public static InferenceTensor CreateStrings(string name, string[] values, params long[] shape) =>
        FromRaw(name, DataType.Bytes, shape.Length == 0 ? [values.Length] : shape, BytesElements.Encode(values));

    /// <summary>
    /// Wraps raw data without copying it (the caller must not change it afterwards). Throws <see cref="ArgumentException"/> when the data does not
    /// agree with the datatype and shape; use <see cref="TryFromRaw"/> to get the reason as a value.
    /// </summary>
    public static InferenceTensor FromRaw(string name, DataType dataType, long[] shape, ReadOnlyMemory<byte> data) =>
        TryFromRaw(name, dataType, shape, data, out var tensor, out var problem)
            ? tensor
            : throw new ArgumentException($"tensor '{name}': {problem}", nameof(data));

    /// <summary>Wraps raw data without copying it, or explains why the data disagrees with the datatype and shape.</summary>
    public static bool TryFromRaw(
        string name, DataType dataType, long[] shape, ReadOnlyMemory<byte> data, out InferenceTensor tensor, out string? problem)
    {
        tensor = null!;
        if (dataType == DataType.Invalid || !Enum.IsDefined(dataType))
        {
            problem = "invalid datatype";
            return false;
        }

        if (!TensorShape.TryGetElementCount(shape, out var count, out problem))
        {
            return false;
        }

        if (dataType == DataType.Bytes)
        {
            if (!BytesElements.TryCount(data.Span, out var actual))
            {
                problem = "BYTES data is malformed: an element's 4-byte length prefix runs past the end of the data";
                return false;
            }

            if (actual != count)
            {
                problem = $"shape {TensorShape.Format(shape)} needs {count} elements but the data has {actual}";
                return false;
            }
        }
        else
        {
            var expectedBytes = count * dataType.ElementSize();
            if (data.Length != expectedBytes)
            {
                problem = $"shape {TensorShape.Format(shape)} of {dataType.Name()} needs {expectedBytes} bytes but the data has {data.Length}";
                return false;
            }
        }

        // The shape is copied so the caller's array can change without making the tensor disagree with itself.
        tensor = new InferenceTensor(name, dataType, shape.ToArray(), count, data);
        return true;
    }

    /// <summary>The elements as a span of <typeparamref name="T"/>, which must match the datatype.</summary>
    public ReadOnlySpan<T> AsSpan<T>() where T : unmanaged
    {
        if (DataTypes.Of<T>() != DataType)
        {
            throw new InvalidOperationException($"tensor '{Name}' is {DataType.Name()}, not {typeof(T).Name}.");
        }

        return MemoryMarshal.Cast<byte, T>(Data.Span);
    }

    /// <summary>A copy of the elements as an array of <typeparamref name="T"/>.</summary>
    public T[] ToArray<T>() where T : unmanaged => AsSpan<T>().ToArray();

    /// <summary>The elements of a BYTES tensor.</summary>
    public ReadOnlyMemory<byte>[] GetBytesElements()
    {
        if (DataType != DataType.Bytes)
        {
            throw new InvalidOperationException($"tensor '{Name}' is {DataType.Name()}, not BYTES.");
        }

        return BytesElements.Decode(Data);
    }

    /// <summary>The elements of a BYTES tensor decoded as UTF-8 strings.</summary>
    public string[] ToStrings() => GetBytesElements().Select(e => Encoding.UTF8.GetString(e.Span)).ToArray();

    /// <summary>The same data under another name.</summary>
    public InferenceTensor WithName(string name) => new(name, DataType, ShapeArray, ElementCount, Data);

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {DataType.Name()} {TensorShape.Format(Shape)}";
}
