using System.Globalization;
using System.Text.Json;
using Augur.Protocol.Json;
using Augur.Tensors;

namespace Augur.Protocol.Tests.Json;

/// <summary>The flat-number fast path decodes exactly what the general (nested) path decodes, and declines everything else.</summary>
public sealed class FlatNumberReaderTests
{
    [Theory]
    [InlineData(DataType.Fp32, "0.1, -0, 1e-45, 3.4028234e38, -2.5E+3, 7, 0.30000001192092896, 16777217")]
    [InlineData(DataType.Fp64, "0.1, -0, 5e-324, 1.7976931348623157e308, -2.5E+3, 7")]
    [InlineData(DataType.Int32, "0, -1, 2147483647, -2147483648, 42")]
    [InlineData(DataType.Int64, "0, -1, 9223372036854775807, -9223372036854775808, 42")]
    public void Flat_data_decodes_to_the_same_bytes_as_the_general_path(DataType type, string values)
    {
        var count = values.Split(',').Length;

        Assert.True(TensorDataReader.TryRead(Parse($"[{values}]"), "x", type, [count], count, out var flat, out var problem), problem);
        Assert.True(TensorDataReader.TryRead(Parse($"[[{values}]]"), "x", type, [1, count], count, out var nested, out problem), problem);

        Assert.Equal(nested, flat);
    }

    [Fact]
    public void Many_random_floats_decode_identically_on_both_paths()
    {
        var random = new Random(5);
        var values = Enumerable.Range(0, 4096).Select(_ => ((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-30, 30))).ToString("R", CultureInfo.InvariantCulture)).ToArray();
        var text = string.Join(",", values);

        Assert.True(TensorDataReader.TryRead(Parse($"[{text}]"), "x", DataType.Fp32, [values.Length], values.Length, out var flat, out _));
        Assert.True(TensorDataReader.TryRead(Parse($"[[{text}]]"), "x", DataType.Fp32, [1, values.Length], values.Length, out var nested, out _));

        Assert.Equal(nested, flat);
    }

    [Theory]
    [InlineData(DataType.Fp32, "[1, \"NaN\"]")]
    [InlineData(DataType.Fp32, "[1, 1e39]")]
    [InlineData(DataType.Fp32, "[1, [2]]")]
    [InlineData(DataType.Fp32, "[1, true]")]
    [InlineData(DataType.Int32, "[1, 2147483648]")]
    [InlineData(DataType.Int32, "[1, 1.5]")]
    [InlineData(DataType.Int64, "[1, 1e3]")]
    public void Anything_but_plain_numbers_in_range_is_left_to_the_general_path(DataType type, string json)
    {
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(json));
        reader.Read();
        reader.Read();
        var bytes = new byte[2 * type.ElementSize()];
        var start = reader.TokenStartIndex;

        var next = FlatNumberReader.ReadRun(ref reader, type, bytes, 0, 2);

        // The run takes the first element and stops on the second, which the general path reads from there.
        Assert.Equal(1, next);
        Assert.NotEqual(start, reader.TokenStartIndex);
        Assert.NotEqual(JsonTokenType.EndArray, reader.TokenType);
    }

    [Fact]
    public void A_run_stops_at_the_shapes_count()
    {
        var reader = new Utf8JsonReader("[1, 2, 3]"u8);
        reader.Read();
        reader.Read();
        var bytes = new byte[2 * 4];

        Assert.Equal(2, FlatNumberReader.ReadRun(ref reader, DataType.Int32, bytes, 0, 2));
        Assert.Equal(3, reader.GetInt32());
        Assert.Equal([1, 0, 0, 0, 2, 0, 0, 0], bytes);
    }

    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement;
}
