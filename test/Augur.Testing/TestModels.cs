using Augur.OnnxRuntime.Onnx;
using Augur.Tensors;

namespace Augur.Testing;

/// <summary>Tiny ONNX models for tests, built in code with <see cref="OnnxGraphBuilder"/>.</summary>
public static class TestModels
{
    /// <summary>
    /// <c>output = Identity(input)</c>, both of <paramref name="type"/> and <paramref name="shape"/> (-1 for a dynamic
    /// dimension). ONNX Runtime's CPU Identity kernel covers every <see cref="DataType"/>, BYTES as an ONNX string.
    /// </summary>
    public static byte[] Identity(DataType type, params long[] shape) =>
        new OnnxGraphBuilder($"identity_{type.Name().ToLowerInvariant()}")
            .AddInput("input", type, shape)
            .AddOutput("output", type, shape)
            .AddNode("Identity", ["input"], ["output"])
            .ToBytes();

    /// <summary>
    /// One Identity per datatype in one graph: for each of <paramref name="types"/>, <c>output_{type}</c> =
    /// Identity(<c>input_{type}</c>), both of that type and <paramref name="shape"/>, the type spelled as
    /// <see cref="IdentityName"/> does. Every datatype crosses one request, and one worker process, together.
    /// </summary>
    public static byte[] IdentityOfEach(IEnumerable<DataType> types, params long[] shape)
    {
        ArgumentNullException.ThrowIfNull(types);
        var builder = new OnnxGraphBuilder("identity_of_each");
        foreach (var type in types)
        {
            builder.AddInput(IdentityName("input", type), type, shape)
                .AddOutput(IdentityName("output", type), type, shape)
                .AddNode("Identity", [IdentityName("input", type)], [IdentityName("output", type)]);
        }

        return builder.ToBytes();
    }

    /// <summary>The name of the input or output of <paramref name="type"/> in <see cref="IdentityOfEach"/>, e.g. <c>input_fp16</c>.</summary>
    public static string IdentityName(string prefix, DataType type) => $"{prefix}_{type.Name().ToLowerInvariant()}";

    /// <summary>
    /// Inputs <c>a</c> FP32 [-1, 3] and <c>b</c> INT64 [-1, 1]; outputs <c>sum</c> INT64 [-1, 1], the row sum of
    /// <c>a</c> cast to INT64 (so truncated toward zero element by element) plus <c>b</c>, and <c>doubled</c> FP32 [-1, 3] = 2a.
    /// </summary>
    public static byte[] TwoInputs()
    {
        var builder = new OnnxGraphBuilder("two_inputs")
            .AddInput("a", DataType.Fp32, -1, 3)
            .AddInput("b", DataType.Int64, -1, 1)
            .AddOutput("sum", DataType.Int64, -1, 1)
            .AddOutput("doubled", DataType.Fp32, -1, 3);
        var rowAxis = builder.AddInitializer("row_axis", [1L], 1);
        var two = builder.AddInitializer("two", [2f]);
        return builder
            .AddNode("Cast", ["a"], ["a_int64"], OnnxAttribute.Int("to", 7))
            .AddNode("ReduceSum", ["a_int64", rowAxis], ["a_row_sum"], OnnxAttribute.Int("keepdims", 1))
            .AddNode("Add", ["a_row_sum", "b"], ["sum"])
            .AddNode("Mul", ["a", two], ["doubled"])
            .ToBytes();
    }

    /// <summary>
    /// Inputs <c>x</c> FP32 [-1, 3] and <c>n</c> INT64 [-1, 3]; outputs of the datatypes JSON cannot carry as plain
    /// doubles: <c>half</c> FP16 and <c>brain</c> BF16, <c>x</c> cast (so NaN and ±∞ in <c>x</c> come out as such,
    /// and values past FP16's range as ∞); <c>signed</c> INT64 = <c>n</c> + [2⁶³ − 1001, −2⁶³ + 1000, 0] (so
    /// <c>n</c> = [1000, -1000, -1] gives INT64 max, INT64 min and -1); <c>unsigned</c> UINT64, <c>signed</c> cast
    /// (-1 is UINT64 max).
    /// </summary>
    public static byte[] Casts()
    {
        const long toFloat16 = 10, toUInt64 = 13, toBFloat16 = 16; // ONNX TensorProto.DataType
        var builder = new OnnxGraphBuilder("casts")
            .AddInput("x", DataType.Fp32, -1, 3)
            .AddInput("n", DataType.Int64, -1, 3)
            .AddOutput("half", DataType.Fp16, -1, 3)
            .AddOutput("brain", DataType.Bf16, -1, 3)
            .AddOutput("signed", DataType.Int64, -1, 3)
            .AddOutput("unsigned", DataType.UInt64, -1, 3);
        var offsets = builder.AddInitializer("offsets", [long.MaxValue - 1000, long.MinValue + 1000, 0L], 3);
        return builder
            .AddNode("Cast", ["x"], ["half"], OnnxAttribute.Int("to", toFloat16))
            .AddNode("Cast", ["x"], ["brain"], OnnxAttribute.Int("to", toBFloat16))
            .AddNode("Add", ["n", offsets], ["signed"])
            .AddNode("Cast", ["signed"], ["unsigned"], OnnxAttribute.Int("to", toUInt64))
            .ToBytes();
    }

    /// <summary>Writes <paramref name="model"/> to <c>{repositoryDirectory}/{modelName}/{version}/model.onnx</c>, creating directories.</summary>
    public static void WriteModel(string repositoryDirectory, string modelName, byte[] model, int version = 1)
    {
        ArgumentException.ThrowIfNullOrEmpty(repositoryDirectory);
        ArgumentException.ThrowIfNullOrEmpty(modelName);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(version);
        var directory = Path.Combine(repositoryDirectory, modelName, version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(directory);
        File.WriteAllBytes(Path.Combine(directory, "model.onnx"), model);
    }
}
