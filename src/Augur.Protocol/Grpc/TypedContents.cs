using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Augur.Tensors;
using Google.Protobuf;
using Google.Protobuf.Collections;

namespace Augur.Protocol.Grpc;

/// <summary>
/// Converts between <see cref="InferTensorContents"/> (one repeated field per datatype family) and Augur's tensor byte
/// layout. FP16 and BF16 have no field in the protocol and travel only as raw contents.
/// </summary>
public static class TypedContents
{
    /// <summary>The <see cref="InferTensorContents"/> field that carries <paramref name="type"/>, or null for FP16/BF16.</summary>
    public static string? FieldOf(DataType type) => type switch
    {
        DataType.Bool => "bool_contents",
        DataType.Int8 or DataType.Int16 or DataType.Int32 => "int_contents",
        DataType.Int64 => "int64_contents",
        DataType.UInt8 or DataType.UInt16 or DataType.UInt32 => "uint_contents",
        DataType.UInt64 => "uint64_contents",
        DataType.Fp32 => "fp32_contents",
        DataType.Fp64 => "fp64_contents",
        DataType.Bytes => "bytes_contents",
        _ => null,
    };

    /// <summary>
    /// Decodes the contents of input <paramref name="name"/> into Augur's layout, or says what is wrong: a datatype
    /// without a typed field, elements in another datatype's field, a count that disagrees with the shape, or a value
    /// out of the datatype's range.
    /// </summary>
    public static bool TryDecode(string name, DataType type, long count, InferTensorContents contents, out byte[] bytes, out string? problem)
    {
        bytes = [];
        var field = FieldOf(type);
        if (field is null)
        {
            problem = $"input '{name}': {type.Name()} has no typed contents field; send it in raw_input_contents";
            return false;
        }

        if (FindStrayField(contents, field) is { } stray)
        {
            problem = $"input '{name}' is {type.Name()} but has elements in {stray}; {type.Name()} goes in {field}";
            return false;
        }

        var actual = CountOf(contents, type);
        if (actual != count)
        {
            problem = $"input '{name}': the shape needs {count} elements but {field} has {actual}";
            return false;
        }

        problem = type switch
        {
            DataType.Bool => Copy(contents.BoolContents, out bytes),
            DataType.Int8 => Narrow(name, contents.IntContents, sbyte.MinValue, sbyte.MaxValue, 1, out bytes),
            DataType.Int16 => Narrow(name, contents.IntContents, short.MinValue, short.MaxValue, 2, out bytes),
            DataType.Int32 => Copy(contents.IntContents, out bytes),
            DataType.Int64 => Copy(contents.Int64Contents, out bytes),
            DataType.UInt8 => Narrow(name, contents.UintContents, byte.MaxValue, 1, out bytes),
            DataType.UInt16 => Narrow(name, contents.UintContents, ushort.MaxValue, 2, out bytes),
            DataType.UInt32 => Copy(contents.UintContents, out bytes),
            DataType.UInt64 => Copy(contents.Uint64Contents, out bytes),
            DataType.Fp32 => Copy(contents.Fp32Contents, out bytes),
            DataType.Fp64 => Copy(contents.Fp64Contents, out bytes),
            _ => EncodeBytes(contents.BytesContents, out bytes),
        };
        return problem is null;
    }

    /// <summary>Encodes <paramref name="tensor"/> as typed contents; false for FP16/BF16, which have no field.</summary>
    public static bool TryEncode(InferenceTensor tensor, out InferTensorContents contents)
    {
        contents = new InferTensorContents();
        var data = tensor.Data.Span;
        switch (tensor.DataType)
        {
            case DataType.Bool:
                foreach (var b in data)
                {
                    contents.BoolContents.Add(b != 0);
                }

                return true;
            case DataType.Int8:
                foreach (var b in MemoryMarshal.Cast<byte, sbyte>(data))
                {
                    contents.IntContents.Add(b);
                }

                return true;
            case DataType.Int16:
                foreach (var v in MemoryMarshal.Cast<byte, short>(data))
                {
                    contents.IntContents.Add(v);
                }

                return true;
            case DataType.Int32:
                contents.IntContents.AddRange(tensor.ToArray<int>());
                return true;
            case DataType.Int64:
                contents.Int64Contents.AddRange(tensor.ToArray<long>());
                return true;
            case DataType.UInt8:
                foreach (var b in data)
                {
                    contents.UintContents.Add(b);
                }

                return true;
            case DataType.UInt16:
                foreach (var v in MemoryMarshal.Cast<byte, ushort>(data))
                {
                    contents.UintContents.Add(v);
                }

                return true;
            case DataType.UInt32:
                contents.UintContents.AddRange(tensor.ToArray<uint>());
                return true;
            case DataType.UInt64:
                contents.Uint64Contents.AddRange(tensor.ToArray<ulong>());
                return true;
            case DataType.Fp32:
                contents.Fp32Contents.AddRange(tensor.ToArray<float>());
                return true;
            case DataType.Fp64:
                contents.Fp64Contents.AddRange(tensor.ToArray<double>());
                return true;
            case DataType.Bytes:
                foreach (var element in tensor.GetBytesElements())
                {
                    contents.BytesContents.Add(ByteString.CopyFrom(element.Span));
                }

                return true;
            default:
                return false;
        }
    }

    private static long CountOf(InferTensorContents contents, DataType type) => type switch
    {
        DataType.Bool => contents.BoolContents.Count,
        DataType.Int8 or DataType.Int16 or DataType.Int32 => contents.IntContents.Count,
        DataType.Int64 => contents.Int64Contents.Count,
        DataType.UInt8 or DataType.UInt16 or DataType.UInt32 => contents.UintContents.Count,
        DataType.UInt64 => contents.Uint64Contents.Count,
        DataType.Fp32 => contents.Fp32Contents.Count,
        DataType.Fp64 => contents.Fp64Contents.Count,
        _ => contents.BytesContents.Count,
    };

    private static string? FindStrayField(InferTensorContents contents, string expected)
    {
        (string Field, int Count)[] fields =
        [
            ("bool_contents", contents.BoolContents.Count), ("int_contents", contents.IntContents.Count),
            ("int64_contents", contents.Int64Contents.Count), ("uint_contents", contents.UintContents.Count),
            ("uint64_contents", contents.Uint64Contents.Count), ("fp32_contents", contents.Fp32Contents.Count),
            ("fp64_contents", contents.Fp64Contents.Count), ("bytes_contents", contents.BytesContents.Count),
        ];
        foreach (var (field, count) in fields)
        {
            if (count > 0 && field != expected)
            {
                return field;
            }
        }

        return null;
    }

    private static string? Copy<T>(RepeatedField<T> values, out byte[] bytes) where T : unmanaged
    {
        bytes = new byte[values.Count * System.Runtime.CompilerServices.Unsafe.SizeOf<T>()];
        var destination = MemoryMarshal.Cast<byte, T>(bytes.AsSpan());
        for (var i = 0; i < values.Count; i++)
        {
            destination[i] = values[i];
        }

        return null;
    }

    private static string? Copy(RepeatedField<bool> values, out byte[] bytes)
    {
        bytes = new byte[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            bytes[i] = values[i] ? (byte)1 : (byte)0;
        }

        return null;
    }

    private static string? Narrow(string name, RepeatedField<int> values, int min, int max, int size, out byte[] bytes)
    {
        bytes = new byte[values.Count * size];
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            if (value < min || value > max)
            {
                return $"input '{name}': element {i} is {value}, outside the datatype's range {min}..{max}";
            }

            if (size == 1)
            {
                bytes[i] = (byte)(sbyte)value;
            }
            else
            {
                BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(i * 2), (short)value);
            }
        }

        return null;
    }

    private static string? Narrow(string name, RepeatedField<uint> values, uint max, int size, out byte[] bytes)
    {
        bytes = new byte[values.Count * size];
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            if (value > max)
            {
                return $"input '{name}': element {i} is {value}, outside the datatype's range 0..{max}";
            }

            if (size == 1)
            {
                bytes[i] = (byte)value;
            }
            else
            {
                BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), (ushort)value);
            }
        }

        return null;
    }

    private static string? EncodeBytes(RepeatedField<ByteString> values, out byte[] bytes)
    {
        var total = 0L;
        foreach (var value in values)
        {
            total += 4 + value.Length;
        }

        bytes = new byte[total];
        var offset = 0;
        foreach (var value in values)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(offset), value.Length);
            value.Span.CopyTo(bytes.AsSpan(offset + 4));
            offset += 4 + value.Length;
        }

        return null;
    }
}
