using Augur.Tensors;

namespace Augur.Core.Tests.Tensors;

public sealed class InferenceTensorTests
{
    [Fact]
    public void Create_StoresLittleEndianDataAndDefaultsToOneDimension()
    {
        var tensor = InferenceTensor.Create("x", new[] { 1, 256 });

        Assert.Equal("x", tensor.Name);
        Assert.Equal(DataType.Int32, tensor.DataType);
        Assert.Equal([2L], tensor.Shape.ToArray());
        Assert.Equal(2, tensor.ElementCount);
        Assert.Equal(new byte[] { 1, 0, 0, 0, 0, 1, 0, 0 }, tensor.Data.ToArray());
        Assert.Equal([1, 256], tensor.ToArray<int>());
        Assert.Equal(256, tensor.AsSpan<int>()[1]);
    }

    [Fact]
    public void Create_WithShape()
    {
        var tensor = InferenceTensor.Create("m", new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);

        Assert.Equal([2L, 3L], tensor.Shape.ToArray());
        Assert.Equal(6, tensor.ElementCount);
        Assert.Equal("m: FP32 [2,3]", tensor.ToString());
    }

    [Fact]
    public void Create_CopiesTheValues()
    {
        var values = new long[] { 7 };
        var tensor = InferenceTensor.Create("x", values);
        values[0] = 8;

        Assert.Equal(7L, tensor.AsSpan<long>()[0]);
    }

    [Fact]
    public void Create_ThrowsWhenShapeDisagreesWithValues()
    {
        var ex = Assert.Throws<ArgumentException>(() => InferenceTensor.Create("x", new float[] { 1, 2, 3 }, 2, 2));

        Assert.Contains("tensor 'x'", ex.Message);
        Assert.Contains("shape [2,2] of FP32 needs 16 bytes but the data has 12", ex.Message);
    }

    [Fact]
    public void Bool_IsOneBytePerElement()
    {
        var tensor = InferenceTensor.Create("b", new[] { true, false, true });

        Assert.Equal(DataType.Bool, tensor.DataType);
        Assert.Equal(new byte[] { 1, 0, 1 }, tensor.Data.ToArray());
        Assert.Equal([true, false, true], tensor.ToArray<bool>());
    }

    [Fact]
    public void CreateStrings_EncodesAndDecodes()
    {
        var tensor = InferenceTensor.CreateStrings("s", ["a", "", "ü"], 3, 1);

        Assert.Equal(DataType.Bytes, tensor.DataType);
        Assert.Equal([3L, 1L], tensor.Shape.ToArray());
        Assert.Equal(3, tensor.ElementCount);
        Assert.Equal(["a", "", "ü"], tensor.ToStrings());
        Assert.Equal([1, 0, 2], tensor.GetBytesElements().Select(e => e.Length));
    }

    [Fact]
    public void FromRaw_WrapsWithoutCopying()
    {
        var data = new byte[8];
        var tensor = InferenceTensor.FromRaw("x", DataType.Fp64, [1], data);
        data[7] = 0x3F;
        data[6] = 0xF0;

        Assert.Equal(1.0, tensor.AsSpan<double>()[0]);
    }

    [Fact]
    public void FromRaw_ScalarShapeHasOneElement()
    {
        var tensor = InferenceTensor.FromRaw("s", DataType.Int16, [], new byte[] { 5, 0 });

        Assert.Equal(1, tensor.ElementCount);
        Assert.Equal(0, tensor.Shape.Length);
        Assert.Equal((short)5, tensor.AsSpan<short>()[0]);
    }

    [Fact]
    public void FromRaw_ZeroElements()
    {
        var tensor = InferenceTensor.FromRaw("z", DataType.Fp32, [0, 4], ReadOnlyMemory<byte>.Empty);

        Assert.Equal(0, tensor.ElementCount);
        Assert.Empty(tensor.ToArray<float>());
    }

    [Theory]
    [InlineData(DataType.UInt8, new long[] { 3 }, 2, "shape [3] of UINT8 needs 3 bytes but the data has 2")]
    [InlineData(DataType.Fp16, new long[] { 2, 2 }, 9, "shape [2,2] of FP16 needs 8 bytes but the data has 9")]
    [InlineData(DataType.Int64, new long[0], 0, "shape [] of INT64 needs 8 bytes but the data has 0")]
    [InlineData(DataType.Fp32, new long[] { 2, -1 }, 8, "shape [2,-1] has a negative dimension (-1)")]
    [InlineData(DataType.Fp32, new long[] { int.MaxValue, 2 }, 8, "shape [2147483647,2] has more than 2147483647 elements")]
    [InlineData(DataType.Invalid, new long[] { 1 }, 1, "invalid datatype")]
    [InlineData((DataType)99, new long[] { 1 }, 1, "invalid datatype")]
    public void TryFromRaw_ExplainsDisagreement(DataType type, long[] shape, int bytes, string expected)
    {
        Assert.False(InferenceTensor.TryFromRaw("t", type, shape, new byte[bytes], out _, out var problem));
        Assert.Equal(expected, problem);

        var ex = Assert.Throws<ArgumentException>(() => InferenceTensor.FromRaw("t", type, shape, new byte[bytes]));
        Assert.StartsWith($"tensor 't': {expected}", ex.Message);
    }

    [Fact]
    public void TryFromRaw_BytesCountMustMatchShape()
    {
        var data = BytesElements.Encode(new[] { "a", "b", "c" });

        Assert.True(InferenceTensor.TryFromRaw("s", DataType.Bytes, [3], data, out var tensor, out _));
        Assert.Equal(3, tensor.ElementCount);

        Assert.False(InferenceTensor.TryFromRaw("s", DataType.Bytes, [2, 2], data, out _, out var problem));
        Assert.Equal("shape [2,2] needs 4 elements but the data has 3", problem);
    }

    [Fact]
    public void TryFromRaw_RejectsMalformedBytes()
    {
        Assert.False(InferenceTensor.TryFromRaw("s", DataType.Bytes, [1], new byte[] { 9, 0, 0, 0, 1 }, out _, out var problem));
        Assert.Contains("BYTES data is malformed", problem);
    }

    [Fact]
    public void Accessors_RejectTheWrongType()
    {
        var floats = InferenceTensor.Create("f", new float[] { 1 });
        var strings = InferenceTensor.CreateStrings("s", ["x"]);

        var span = Assert.Throws<InvalidOperationException>(() => floats.AsSpan<int>().Length);
        Assert.Equal("tensor 'f' is FP32, not Int32.", span.Message);
        Assert.Throws<InvalidOperationException>(() => floats.ToArray<double>());
        var bytes = Assert.Throws<InvalidOperationException>(() => floats.GetBytesElements());
        Assert.Equal("tensor 'f' is FP32, not BYTES.", bytes.Message);
        Assert.Throws<InvalidOperationException>(() => floats.ToStrings());
        Assert.Throws<NotSupportedException>(() => strings.AsSpan<char>().Length);
    }

    [Fact]
    public void WithName_SharesDataUnderANewName()
    {
        var tensor = InferenceTensor.Create("a", new ushort[] { 1, 2 }, 1, 2);
        var renamed = tensor.WithName("b");

        Assert.Equal("b", renamed.Name);
        Assert.Equal("a", tensor.Name);
        Assert.Equal(tensor.DataType, renamed.DataType);
        Assert.Equal(tensor.Shape.ToArray(), renamed.Shape.ToArray());
        Assert.Equal(tensor.ElementCount, renamed.ElementCount);
        Assert.True(tensor.Data.Equals(renamed.Data));
    }
}
