using System.Buffers.Binary;
using Augur.OnnxRuntime.Onnx;
using Augur.OnnxRuntime.Onnx.Proto;
using Augur.Tensors;
using Microsoft.ML.OnnxRuntime;

namespace Augur.OnnxRuntime.Tests;

public sealed class OnnxGraphBuilderTests
{
    [Fact]
    public void ToBytes_IsDeterministic()
    {
        Assert.Equal(BuildScaled(), BuildScaled());

        var builder = Scaled();
        Assert.Equal(builder.ToBytes(), builder.ToBytes());
    }

    [Fact]
    public void ToBytes_WritesModelHeader()
    {
        var model = ModelProto.Parser.ParseFrom(new OnnxGraphBuilder("g", opset: 18).ToBytes());

        Assert.Equal(8, model.IrVersion);
        Assert.Equal("augur", model.ProducerName);
        var opset = Assert.Single(model.OpsetImport);
        Assert.Equal("", opset.Domain);
        Assert.Equal(18, opset.Version);
        Assert.Equal("g", model.Graph.Name);
    }

    [Fact]
    public void AddInput_NamesDynamicDimensions()
    {
        var model = ModelProto.Parser.ParseFrom(new OnnxGraphBuilder("g").AddInput("x", DataType.Fp16, -1, 4, -1).ToBytes());

        var input = Assert.Single(model.Graph.Input);
        Assert.Equal(10, input.Type.TensorType.ElemType);
        var dims = input.Type.TensorType.Shape.Dim;
        Assert.Equal("batch", dims[0].DimParam);
        Assert.Equal(4, dims[1].DimValue);
        Assert.Equal("x_d2", dims[2].DimParam);
    }

    [Theory]
    [InlineData(DataType.Fp32, 1)]
    [InlineData(DataType.UInt8, 2)]
    [InlineData(DataType.Int8, 3)]
    [InlineData(DataType.UInt16, 4)]
    [InlineData(DataType.Int16, 5)]
    [InlineData(DataType.Int32, 6)]
    [InlineData(DataType.Int64, 7)]
    [InlineData(DataType.Bytes, 8)]
    [InlineData(DataType.Bool, 9)]
    [InlineData(DataType.Fp16, 10)]
    [InlineData(DataType.Fp64, 11)]
    [InlineData(DataType.UInt32, 12)]
    [InlineData(DataType.UInt64, 13)]
    [InlineData(DataType.Bf16, 16)]
    public void ElementTypes_MatchOnnx(DataType type, int onnxType) => Assert.Equal(onnxType, OnnxElementTypes.From(type));

    [Fact]
    public void AddInitializer_WritesLittleEndianRawData()
    {
        var builder = new OnnxGraphBuilder("g");
        Assert.Equal("w", builder.AddInitializer("w", [1.5f, -2f], 2, 1));
        builder.AddInitializer("i", [1L << 40]);
        builder.AddInitializer("n", [-3], 1);
        builder.AddInitializer("h", [(Half)1, (Half)(-2.5)], 2);

        var initializers = ModelProto.Parser.ParseFrom(builder.ToBytes()).Graph.Initializer;

        Assert.Equal([2L, 1L], initializers[0].Dims);
        Assert.Equal(1, initializers[0].DataType);
        Assert.Equal(-2f, BinaryPrimitives.ReadSingleLittleEndian(initializers[0].RawData.Span[4..]));
        Assert.Empty(initializers[1].Dims);
        Assert.Equal(1L << 40, BinaryPrimitives.ReadInt64LittleEndian(initializers[1].RawData.Span));
        Assert.Equal(6, initializers[2].DataType);
        Assert.Equal(-3, BinaryPrimitives.ReadInt32LittleEndian(initializers[2].RawData.Span));
        Assert.Equal(10, initializers[3].DataType);
        Assert.Equal([0x00, 0x3C, 0x00, 0xC1], initializers[3].RawData.ToByteArray());
    }

    [Fact]
    public void AddInitializer_RejectsShapeThatDoesNotMatchValues()
    {
        var builder = new OnnxGraphBuilder("g");

        Assert.Throws<ArgumentException>(() => builder.AddInitializer("w", [1f, 2f, 3f], 2, 2));
    }

    [Fact]
    public void RejectsValuesDefinedTwice()
    {
        var builder = new OnnxGraphBuilder("g").AddInput("x", DataType.Fp32, 1);

        Assert.Throws<ArgumentException>(() => builder.AddInitializer("x", [1f], 1));
        Assert.Throws<ArgumentException>(() => builder.AddNode("Relu", ["x"], ["x"]));
    }

    [Fact]
    public void OnnxAttribute_WritesEachKind()
    {
        var model = ModelProto.Parser.ParseFrom(new OnnxGraphBuilder("g")
            .AddInput("x", DataType.Fp32, 1)
            .AddNode("Custom", ["x"], ["y"],
                OnnxAttribute.Int("i", 7),
                OnnxAttribute.Float("f", 0.5f),
                OnnxAttribute.Ints("is", 1, 2),
                OnnxAttribute.Floats("fs", 0.25f),
                OnnxAttribute.String("s", "héllo"))
            .ToBytes());

        var node = Assert.Single(model.Graph.Node);
        Assert.Equal("Custom_0", node.Name);
        var a = node.Attribute;
        Assert.Equal((AttributeProto.Types.AttributeType.Int, 7L), (a[0].Type, a[0].I));
        Assert.Equal((AttributeProto.Types.AttributeType.Float, 0.5f), (a[1].Type, a[1].F));
        Assert.Equal([1L, 2L], a[2].Ints);
        Assert.Equal([0.25f], a[3].Floats);
        Assert.Equal("héllo", a[4].S.ToStringUtf8());
        Assert.Equal(AttributeProto.Types.AttributeType.String, a[4].Type);
    }

    [Fact]
    public void BuiltGraph_RunsInOnnxRuntime()
    {
        using var session = new InferenceSession(BuildScaled());
        using var x = OrtTestTensors.Create(DataType.Fp32, [1f, -2f, 3f, 4f], 2, 2);

        using var outputs = OrtTestTensors.Run(session, ("x", x));

        Assert.Equal([2f, 0f, 6f, 8f], OrtTestTensors.Read<float>(outputs[0]));
    }

    [Fact]
    public void Save_CreatesDirectory()
    {
        var root = Path.Combine(Path.GetTempPath(), $"augur-test-{Guid.NewGuid():N}");
        try
        {
            var path = Path.Combine(root, "a", "b", "model.onnx");

            Scaled().Save(path);

            Assert.Equal(BuildScaled(), File.ReadAllBytes(path));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void ImportOpset_WritesEveryDomainAndNodesNameTheirDomain()
    {
        var model = ModelProto.Parser.ParseFrom(new OnnxGraphBuilder("g", opset: 20)
            .ImportOpset("com.microsoft", 1)
            .ImportOpset("com.microsoft", 1)
            .AddInput("t", DataType.Bytes, -1)
            .AddNode("com.microsoft", "MurmurHash3", ["t"], ["h"], OnnxAttribute.Int("positive", 1))
            .ToBytes());

        Assert.Equal([("", 20L), ("com.microsoft", 1L)], model.OpsetImport.Select(o => (o.Domain, o.Version)));
        var node = Assert.Single(model.Graph.Node);
        Assert.Equal(("com.microsoft", "MurmurHash3"), (node.Domain, node.OpType));
    }

    [Fact]
    public void ImportOpset_RefusesAnotherVersionOfAnImportedDomain()
    {
        var builder = new OnnxGraphBuilder("g", opset: 20).ImportOpset("ai.onnx.ml", 3);

        var error = Assert.Throws<ArgumentException>(() => builder.ImportOpset("ai.onnx.ml", 4));
        Assert.Contains("already imported at version 3", error.Message);
        Assert.Throws<ArgumentException>(() => builder.ImportOpset("", 21));
    }

    [Fact]
    public void AddNode_RefusesADomainThatIsNotImported()
    {
        var builder = new OnnxGraphBuilder("g").AddInput("t", DataType.Bytes, -1);

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddNode("com.microsoft", "MurmurHash3", ["t"], ["h"]));
        Assert.Contains("'com.microsoft'", error.Message);
    }

    [Fact]
    public void RequireIrVersion_RaisesTheIrVersionOnly()
    {
        var builder = new OnnxGraphBuilder("g").RequireIrVersion(10).RequireIrVersion(9);

        Assert.Equal(10, ModelProto.Parser.ParseFrom(builder.ToBytes()).IrVersion);
    }

    [Fact]
    public void StringInitializersAndAttributes_RunInOnnxRuntime()
    {
        var builder = new OnnxGraphBuilder("g", opset: 20)
            .AddInput("t", DataType.Bytes, -1)
            .AddOutput("y", DataType.Bytes, -1);
        var suffix = builder.AddInitializer("suffix", ["·é"]);
        builder.AddNode("StringConcat", ["t", suffix], ["y"]);
        var model = ModelProto.Parser.ParseFrom(builder.ToBytes());
        using var session = new InferenceSession(builder.ToBytes());
        using var t = OrtTestTensors.CreateStrings([[0x61], []], 2);

        using var outputs = OrtTestTensors.Run(session, ("t", t));

        Assert.Equal(8, model.Graph.Initializer[0].DataType);
        Assert.Empty(model.Graph.Initializer[0].Dims);
        Assert.Equal(["a·é", "·é"], OrtTestTensors.ReadStrings(outputs[0]).Select(System.Text.Encoding.UTF8.GetString));
        var strings = OnnxAttribute.Strings("separators", " ", "\t").ToProto();
        Assert.Equal(AttributeProto.Types.AttributeType.Strings, strings.Type);
        Assert.Equal([" ", "\t"], strings.Strings.Select(s => s.ToStringUtf8()));
    }

    private static byte[] BuildScaled() => Scaled().ToBytes();

    /// <summary>y = Relu(x) * 2, with a dynamic batch.</summary>
    private static OnnxGraphBuilder Scaled()
    {
        var builder = new OnnxGraphBuilder("scaled")
            .AddInput("x", DataType.Fp32, -1, 2)
            .AddOutput("y", DataType.Fp32, -1, 2);
        var two = builder.AddInitializer("two", [2f]);
        return builder
            .AddNode("Relu", ["x"], ["positive"])
            .AddNode("Mul", ["positive", two], ["y"]);
    }
}
