using System.Text;
using Augur.OnnxRuntime.Onnx.Proto;
using Augur.OnnxRuntime.Pipelines.Featurizers;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;

namespace Augur.OnnxRuntime.Tests.Pipelines;

/// <summary>MurmurHash3 x86_32 against published vectors and against ONNX Runtime's own operator.</summary>
public sealed class MurmurHash3Tests
{
    // Published vectors of MurmurHash3_x86_32 (SMHasher's algorithm; each checked here with a separate Python
    // transcription of Appleby's C code). They cover every tail length (0-3 bytes past a block) and the seed.
    [Theory]
    [InlineData("", 0u, 0u)]
    [InlineData("", 1u, 0x514E28B7u)]
    [InlineData("", 0xFFFFFFFFu, 0x81F16F39u)]
    [InlineData("00000000", 0u, 0x2362F9DEu)]
    [InlineData("FFFFFFFF", 0u, 0x76293B50u)]
    [InlineData("21436587", 0x5082EDEEu, 0x2362F9DEu)]
    [InlineData("214365", 0u, 0x7E4A8634u)]
    public void Hashes_bytes_as_the_published_vectors_say(string hex, uint seed, uint expected) =>
        Assert.Equal(expected, MurmurHash3.Hash32(Convert.FromHexString(hex), seed));

    [Theory]
    [InlineData("hello", 0u, 0x248BFA47u)]
    [InlineData("aaaa", 0x9747B28Cu, 0x5A97808Au)]
    [InlineData("Hello, world!", 0x9747B28Cu, 0x24884CBAu)]
    [InlineData("The quick brown fox jumps over the lazy dog", 0x9747B28Cu, 0x2FA826CDu)]
    [InlineData("café", 0u, 605818632u)]
    public void Hashes_the_UTF8_of_text_as_the_published_vectors_say(string text, uint seed, uint expected) =>
        Assert.Equal(expected, MurmurHash3.Hash32(Encoding.UTF8.GetBytes(text), seed));

    [Theory]
    [InlineData(0L)]
    [InlineData(42L)]
    [InlineData(4294967295L)]
    public void Agrees_with_onnx_runtimes_MurmurHash3_operator_read_as_unsigned(long seed)
    {
        string[] texts = ["", "a", "ab", "abc", "abcd", "abcde", "hello world", "café au lait", "日本語のテキスト", "not good"];
        using var session = new InferenceSession(HashGraph(seed));
        using var input = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, [texts.Length]);
        for (var i = 0; i < texts.Length; i++)
        {
            input.StringTensorSetElementAt(texts[i].AsSpan(), i);
        }

        using var outputs = OrtTestTensors.Run(session, ("text", input));

        var fromOnnxRuntime = OrtTestTensors.Read<uint>(outputs[0]);
        Assert.Equal(texts.Select(t => MurmurHash3.Hash32(Encoding.UTF8.GetBytes(t), (uint)seed)), fromOnnxRuntime);
    }

    // text STRING [N] → com.microsoft.MurmurHash3(seed, positive = 1) → hash UINT32 [N].
    private static byte[] HashGraph(long seed)
    {
        var graph = new GraphProto { Name = "murmur" };
        graph.Input.Add(Vector("text", TensorProto.Types.DataType.String));
        graph.Output.Add(Vector("hash", TensorProto.Types.DataType.Uint32));
        var node = new NodeProto { OpType = "MurmurHash3", Domain = "com.microsoft", Name = "hash" };
        node.Input.Add("text");
        node.Output.Add("hash");
        // The seed attribute is an int; ONNX Runtime reads it as uint32.
        node.Attribute.Add(new AttributeProto { Name = "seed", Type = AttributeProto.Types.AttributeType.Int, I = seed });
        node.Attribute.Add(new AttributeProto { Name = "positive", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        graph.Node.Add(node);
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "com.microsoft", Version = 1 });
        return model.ToByteArray();
    }

    private static ValueInfoProto Vector(string name, TensorProto.Types.DataType type)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "n" });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } };
    }
}
