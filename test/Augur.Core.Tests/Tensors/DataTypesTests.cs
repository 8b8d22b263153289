using Augur.Tensors;

namespace Augur.Core.Tests.Tensors;

public sealed class DataTypesTests
{
    public static TheoryData<DataType, string, int> Expected() => new()
    {
        { DataType.Bool, "BOOL", 1 },
        { DataType.UInt8, "UINT8", 1 },
        { DataType.UInt16, "UINT16", 2 },
        { DataType.UInt32, "UINT32", 4 },
        { DataType.UInt64, "UINT64", 8 },
        { DataType.Int8, "INT8", 1 },
        { DataType.Int16, "INT16", 2 },
        { DataType.Int32, "INT32", 4 },
        { DataType.Int64, "INT64", 8 },
        { DataType.Fp16, "FP16", 2 },
        { DataType.Bf16, "BF16", 2 },
        { DataType.Fp32, "FP32", 4 },
        { DataType.Fp64, "FP64", 8 },
        { DataType.Bytes, "BYTES", 0 },
    };

    [Theory]
    [MemberData(nameof(Expected))]
    public void NameSizeAndParse_AgreeForEveryType(DataType type, string name, int size)
    {
        Assert.Equal(name, type.Name());
        Assert.Equal(size, type.ElementSize());
        Assert.True(DataTypes.TryParse(name, out var parsed));
        Assert.Equal(type, parsed);
    }

    [Fact]
    public void All_ListsEveryValidTypeOnceInProtocolOrder()
    {
        Assert.Equal(
            [DataType.Bool, DataType.UInt8, DataType.UInt16, DataType.UInt32, DataType.UInt64, DataType.Int8, DataType.Int16,
             DataType.Int32, DataType.Int64, DataType.Fp16, DataType.Bf16, DataType.Fp32, DataType.Fp64, DataType.Bytes],
            DataTypes.All);
        Assert.DoesNotContain(DataType.Invalid, DataTypes.All);
    }

    [Fact]
    public void All_RoundTripsThroughNames()
    {
        foreach (var type in DataTypes.All)
        {
            Assert.True(DataTypes.TryParse(type.Name(), out var parsed), type.Name());
            Assert.Equal(type, parsed);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("fp32")]
    [InlineData("Fp32")]
    [InlineData("FLOAT")]
    [InlineData("FP32 ")]
    [InlineData(" FP32")]
    [InlineData("STRING")]
    [InlineData("INVALID")]
    public void TryParse_RejectsOtherNames_CaseSensitively(string name)
    {
        Assert.False(DataTypes.TryParse(name, out var type));
        Assert.Equal(DataType.Invalid, type);
    }

    [Fact]
    public void Of_MapsClrTypes()
    {
        Assert.Equal(DataType.Bool, DataTypes.Of<bool>());
        Assert.Equal(DataType.UInt8, DataTypes.Of<byte>());
        Assert.Equal(DataType.UInt16, DataTypes.Of<ushort>());
        Assert.Equal(DataType.UInt32, DataTypes.Of<uint>());
        Assert.Equal(DataType.UInt64, DataTypes.Of<ulong>());
        Assert.Equal(DataType.Int8, DataTypes.Of<sbyte>());
        Assert.Equal(DataType.Int16, DataTypes.Of<short>());
        Assert.Equal(DataType.Int32, DataTypes.Of<int>());
        Assert.Equal(DataType.Int64, DataTypes.Of<long>());
        Assert.Equal(DataType.Fp16, DataTypes.Of<Half>());
        Assert.Equal(DataType.Bf16, DataTypes.Of<BFloat16>());
        Assert.Equal(DataType.Fp32, DataTypes.Of<float>());
        Assert.Equal(DataType.Fp64, DataTypes.Of<double>());
        Assert.Throws<NotSupportedException>(() => DataTypes.Of<char>());
        Assert.Throws<NotSupportedException>(() => DataTypes.Of<decimal>());
    }
}
