using System.Text;
using Augur.Tensors;
using Augur.Testing;
using Microsoft.ML.OnnxRuntime;
using BFloat16 = Augur.Tensors.BFloat16;

namespace Augur.OnnxRuntime.Tests;

public sealed class TestModelsTests
{
    public static TheoryData<DataType> AllTypes() => new(DataTypes.All);

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void Identity_LoadsWithDynamicBatch_ForEveryDataType(DataType type)
    {
        using var session = new InferenceSession(TestModels.Identity(type, -1, 2));

        var input = Assert.Single(session.InputMetadata);
        Assert.Equal("input", input.Key);
        Assert.Equal([-1, 2], input.Value.Dimensions);
        Assert.Equal("batch", input.Value.SymbolicDimensions[0]);
        Assert.Equal("output", Assert.Single(session.OutputMetadata).Key);
    }

    [Fact]
    public void Identity_RoundTripsNumericTypes()
    {
        RoundTrip(DataType.Bool, [true, false, true, true]);
        RoundTrip(DataType.UInt8, new byte[] { 0, 1, 128, 255 });
        RoundTrip(DataType.UInt16, new ushort[] { 0, 1, 40000, ushort.MaxValue });
        RoundTrip(DataType.UInt32, new uint[] { 0, 1, 3_000_000_000, uint.MaxValue });
        RoundTrip(DataType.UInt64, new ulong[] { 0, 1, 1UL << 63, ulong.MaxValue });
        RoundTrip(DataType.Int8, new sbyte[] { sbyte.MinValue, -1, 0, sbyte.MaxValue });
        RoundTrip(DataType.Int16, new short[] { short.MinValue, -1, 0, short.MaxValue });
        RoundTrip(DataType.Int32, [int.MinValue, -1, 0, int.MaxValue]);
        RoundTrip(DataType.Int64, [long.MinValue, -1, 0, long.MaxValue]);
        RoundTrip(DataType.Fp16, [(Half)1.5, (Half)(-2), Half.MaxValue, Half.Epsilon]);
        RoundTrip(DataType.Bf16, [(BFloat16)1.5f, (BFloat16)(-3.140625f), (BFloat16)1e30f, (BFloat16)float.NegativeInfinity]);
        RoundTrip(DataType.Fp32, [1.5f, -0f, float.MaxValue, float.Epsilon]);
        RoundTrip(DataType.Fp64, [1.5, -0d, double.MaxValue, double.Epsilon]);
    }

    [Fact]
    public void Identity_RoundTripsBytesIncludingNonUtf8()
    {
        byte[][] values = [Encoding.UTF8.GetBytes("héllo"), [], [0x00, 0xFF, 0xFE], Encoding.UTF8.GetBytes("augur")];
        using var session = new InferenceSession(TestModels.Identity(DataType.Bytes, -1));
        using var input = OrtTestTensors.CreateStrings(values, 4);

        using var outputs = OrtTestTensors.Run(session, ("input", input));

        Assert.Equal(values, OrtTestTensors.ReadStrings(outputs[0]));
    }

    [Fact]
    public void TwoInputs_ComputesTruncatedRowSumPlusBAndDoubled()
    {
        float[] a = [1.5f, 2.9f, -1.7f, 10f, 20f, 30f, -0.5f, 0f, 7.25f];
        long[] b = [100, -1000, 0];
        using var session = new InferenceSession(TestModels.TwoInputs());
        using var aValue = OrtTestTensors.Create(DataType.Fp32, a, 3, 3);
        using var bValue = OrtTestTensors.Create(DataType.Int64, b, 3, 1);

        using var outputs = OrtTestTensors.Run(session, ("a", aValue), ("b", bValue));

        Assert.Equal(["sum", "doubled"], session.OutputNames);
        Assert.Equal([3, 1], outputs[0].GetTensorTypeAndShape().Shape);
        Assert.Equal([1 + 2 - 1 + 100, 10 + 20 + 30 - 1000, 0 + 0 + 7 + 0], OrtTestTensors.Read<long>(outputs[0]));
        Assert.Equal(a.Select(x => x * 2).ToArray(), OrtTestTensors.Read<float>(outputs[1]));
    }

    [Fact]
    public void WriteModel_WritesVersionDirectory()
    {
        var root = Path.Combine(Path.GetTempPath(), $"augur-test-{Guid.NewGuid():N}");
        try
        {
            var model = TestModels.TwoInputs();

            TestModels.WriteModel(root, "two", model, version: 3);

            Assert.Equal(model, File.ReadAllBytes(Path.Combine(root, "two", "3", "model.onnx")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static void RoundTrip<T>(DataType type, T[] values) where T : unmanaged
    {
        using var session = new InferenceSession(TestModels.Identity(type, -1, 2));
        using var input = OrtTestTensors.Create(type, values, values.Length / 2, 2);

        using var outputs = OrtTestTensors.Run(session, ("input", input));

        Assert.Equal([values.Length / 2, 2], outputs[0].GetTensorTypeAndShape().Shape);
        Assert.Equal(values, OrtTestTensors.Read<T>(outputs[0]));
    }
}
