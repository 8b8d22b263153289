using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Augur.Tensors;

namespace Augur.Server.Tests;

/// <summary>Builds infer request bodies with System.Text.Json nodes.</summary>
public static class Bodies
{
    public static JsonObject Request(params JsonObject[] inputs) => new() { ["inputs"] = new JsonArray(inputs) };

    public static JsonObject Input(string name, string datatype, long[] shape, JsonNode? data) => new()
    {
        ["name"] = name,
        ["datatype"] = datatype,
        ["shape"] = Shape(shape),
        ["data"] = data,
    };

    /// <summary>An input whose data travels in the binary section.</summary>
    public static JsonObject BinaryInput(string name, string datatype, long[] shape, long size) => new()
    {
        ["name"] = name,
        ["datatype"] = datatype,
        ["shape"] = Shape(shape),
        ["parameters"] = new JsonObject { ["binary_data_size"] = size },
    };

    public static JsonObject RequestedOutput(string name, bool? binary = null) => binary is { } b
        ? new JsonObject { ["name"] = name, ["parameters"] = new JsonObject { ["binary_data"] = b } }
        : new JsonObject { ["name"] = name };

    public static JsonArray Shape(params long[] dims) => new(dims.Select(d => (JsonNode?)d).ToArray());

    public static JsonArray Floats(params float[] values) => new(values.Select(v => (JsonNode?)v).ToArray());

    public static JsonArray Longs(params long[] values) => new(values.Select(v => (JsonNode?)v).ToArray());

    public static JsonArray Strings(params string[] values) => new(values.Select(v => (JsonNode?)v).ToArray());

    /// <summary>The JSON followed by the binary sections, and the JSON's length for <c>Inference-Header-Content-Length</c>.</summary>
    public static (byte[] Body, int HeaderLength) WithBinary(JsonNode header, params byte[][] binary)
    {
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        return ([.. json, .. binary.SelectMany(b => b)], json.Length);
    }

    /// <summary>Fraud feature rows as an FP32 [rows, 8] input named "features".</summary>
    public static JsonObject FraudFeatures(float[][] rows) =>
        Input("features", "FP32", [rows.Length, 8], Floats(rows.SelectMany(r => r).ToArray()));

    public static byte[] LittleEndian(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return bytes;
    }

    public static byte[] LittleEndian(params long[] values)
    {
        var bytes = new byte[values.Length * 8];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), values[i]);
        }

        return bytes;
    }

    /// <summary>BYTES elements as the binary extension carries them: a 4-byte little-endian length, then the bytes.</summary>
    public static byte[] LengthPrefixed(params string[] values)
    {
        var output = new List<byte>();
        foreach (var value in values)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            var prefix = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(prefix, bytes.Length);
            output.AddRange(prefix);
            output.AddRange(bytes);
        }

        return [.. output];
    }

    public static string[] DecodeLengthPrefixed(ReadOnlySpan<byte> data)
    {
        var values = new List<string>();
        while (!data.IsEmpty)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(data);
            values.Add(Encoding.UTF8.GetString(data.Slice(4, length)));
            data = data[(4 + length)..];
        }

        return [.. values];
    }

    public static float[] DecodeFloats(ReadOnlySpan<byte> data)
    {
        var values = new float[data.Length / 4];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(data[(i * 4)..]);
        }

        return values;
    }

    public static long[] DecodeLongs(ReadOnlySpan<byte> data)
    {
        var values = new long[data.Length / 8];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadInt64LittleEndian(data[(i * 8)..]);
        }

        return values;
    }

    /// <summary>A tensor's elements as a flat JSON array, written by the test (not by the product's writer).</summary>
    public static JsonArray ToJsonData(InferenceTensor tensor) => tensor.DataType switch
    {
        DataType.Bool => new(tensor.AsSpan<bool>().ToArray().Select(v => (JsonNode?)v).ToArray()),
        DataType.UInt8 => new(tensor.AsSpan<byte>().ToArray().Select(v => (JsonNode?)v).ToArray()),
        DataType.UInt16 => new(tensor.AsSpan<ushort>().ToArray().Select(v => (JsonNode?)v).ToArray()),
        DataType.UInt32 => new(tensor.AsSpan<uint>().ToArray().Select(v => (JsonNode?)v).ToArray()),
        DataType.UInt64 => new(tensor.AsSpan<ulong>().ToArray().Select(v => (JsonNode?)v).ToArray()),
        DataType.Int8 => new(tensor.AsSpan<sbyte>().ToArray().Select(v => (JsonNode?)v).ToArray()),
        DataType.Int16 => new(tensor.AsSpan<short>().ToArray().Select(v => (JsonNode?)v).ToArray()),
        DataType.Int32 => new(tensor.AsSpan<int>().ToArray().Select(v => (JsonNode?)v).ToArray()),
        DataType.Int64 => new(tensor.AsSpan<long>().ToArray().Select(v => (JsonNode?)v).ToArray()),
        DataType.Fp16 => new(tensor.AsSpan<Half>().ToArray().Select(v => (JsonNode?)(float)v).ToArray()),
        DataType.Bf16 => new(tensor.AsSpan<BFloat16>().ToArray().Select(v => (JsonNode?)(float)v).ToArray()),
        DataType.Fp32 => new(tensor.AsSpan<float>().ToArray().Select(v => (JsonNode?)v).ToArray()),
        DataType.Fp64 => new(tensor.AsSpan<double>().ToArray().Select(v => (JsonNode?)v).ToArray()),
        DataType.Bytes => new(tensor.ToStrings().Select(v => (JsonNode?)v).ToArray()),
        _ => throw new ArgumentOutOfRangeException(nameof(tensor)),
    };

    /// <summary>An input carrying <paramref name="tensor"/>'s values as JSON.</summary>
    public static JsonObject ToJsonInput(InferenceTensor tensor) =>
        Input(tensor.Name, tensor.DataType.Name(), tensor.Shape.ToArray(), ToJsonData(tensor));

    /// <summary>
    /// Encodes JSON <c>data</c> (flat or nested) into Augur's little-endian byte layout, independently of the product's
    /// reader, so responses can be compared byte for byte with in-process tensors.
    /// </summary>
    public static byte[] FromJsonData(DataType type, JsonNode data)
    {
        var elements = new List<JsonNode>();
        Flatten(data, elements);
        if (type == DataType.Bytes)
        {
            return LengthPrefixed(elements.Select(e => e.GetValue<string>()).ToArray());
        }

        var size = type.ElementSize();
        var bytes = new byte[elements.Count * size];
        for (var i = 0; i < elements.Count; i++)
        {
            var destination = bytes.AsSpan(i * size);
            var element = elements[i];
            switch (type)
            {
                case DataType.Bool: destination[0] = element.GetValue<bool>() ? (byte)1 : (byte)0; break;
                case DataType.UInt8: destination[0] = element.GetValue<byte>(); break;
                case DataType.UInt16: BinaryPrimitives.WriteUInt16LittleEndian(destination, element.GetValue<ushort>()); break;
                case DataType.UInt32: BinaryPrimitives.WriteUInt32LittleEndian(destination, element.GetValue<uint>()); break;
                case DataType.UInt64: BinaryPrimitives.WriteUInt64LittleEndian(destination, element.GetValue<ulong>()); break;
                case DataType.Int8: destination[0] = (byte)element.GetValue<sbyte>(); break;
                case DataType.Int16: BinaryPrimitives.WriteInt16LittleEndian(destination, element.GetValue<short>()); break;
                case DataType.Int32: BinaryPrimitives.WriteInt32LittleEndian(destination, element.GetValue<int>()); break;
                case DataType.Int64: BinaryPrimitives.WriteInt64LittleEndian(destination, element.GetValue<long>()); break;
                case DataType.Fp16: BinaryPrimitives.WriteHalfLittleEndian(destination, (Half)ReadFloat(element)); break;
                case DataType.Bf16: BinaryPrimitives.WriteUInt16LittleEndian(destination, ((BFloat16)ReadFloat(element)).Bits); break;
                case DataType.Fp32: BinaryPrimitives.WriteSingleLittleEndian(destination, ReadFloat(element)); break;
                case DataType.Fp64: BinaryPrimitives.WriteDoubleLittleEndian(destination, ReadDouble(element)); break;
                default: throw new ArgumentOutOfRangeException(nameof(type));
            }
        }

        return bytes;
    }

    // Parsed as a single directly: going through double could round twice.
    public static float ReadFloat(JsonNode element) => element.GetValueKind() == System.Text.Json.JsonValueKind.String
        ? (float)ReadDouble(element)
        : element.GetValue<float>();

    public static double ReadDouble(JsonNode element) => element.GetValueKind() == System.Text.Json.JsonValueKind.String
        ? element.GetValue<string>() switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            var other => throw new FormatException($"'{other}' is not a float"),
        }
        : element.GetValue<double>();

    public static float[] ReadFloats(JsonNode data)
    {
        var elements = new List<JsonNode>();
        Flatten(data, elements);
        return elements.Select(ReadFloat).ToArray();
    }

    public static long[] ReadLongs(JsonNode data)
    {
        var elements = new List<JsonNode>();
        Flatten(data, elements);
        return elements.Select(e => e.GetValue<long>()).ToArray();
    }

    public static long[] ReadShape(JsonNode tensor) => tensor["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();

    private static void Flatten(JsonNode node, List<JsonNode> elements)
    {
        if (node is JsonArray array)
        {
            foreach (var item in array)
            {
                Flatten(item!, elements);
            }
        }
        else
        {
            elements.Add(node);
        }
    }
}
