using System.Buffers;
using System.Text;
using System.Text.Json;
using Augur.Models;
using Augur.Protocol.Json;
using Augur.Tensors;

namespace Augur.Protocol.Tests.Json;

public sealed class MetadataWriterTests
{
    private static string Written(Action<IBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Fact]
    public void Server_NameVersionAndExtensions()
    {
        var json = Written(b => MetadataWriter.WriteServer(b, "augur", "0.1.0"));

        Assert.Equal("""{"name":"augur","version":"0.1.0","extensions":["binary_tensor_data","model_repository"]}""", json);
        Assert.Equal(["binary_tensor_data", "model_repository"], MetadataWriter.Extensions);
    }

    [Fact]
    public void Model_NameVersionsPlatformTensorsAndBatchSize()
    {
        var metadata = new ModelMetadata(
            "fraud",
            ["2", "1"],
            "onnxruntime_onnx",
            new ModelSignature(
                [new TensorSpec("features", DataType.Fp32, [-1, 8]), new TensorSpec("ids", DataType.Bytes, [-1])],
                [new TensorSpec("probability", DataType.Fp32, [-1, 1])]),
            64);

        var json = Written(b => MetadataWriter.WriteModel(b, metadata));

        Assert.Equal(
            """{"name":"fraud","versions":["2","1"],"platform":"onnxruntime_onnx","inputs":[{"name":"features","datatype":"FP32","shape":[-1,8]},{"name":"ids","datatype":"BYTES","shape":[-1]}],"outputs":[{"name":"probability","datatype":"FP32","shape":[-1,1]}],"parameters":{"max_batch_size":64}}""",
            json);
    }

    [Fact]
    public void Model_WithoutBatchingOrTensors()
    {
        var metadata = new ModelMetadata("empty", [], "fake", new ModelSignature([], [new TensorSpec("s", DataType.Int8, [])]), 0);

        var json = Written(b => MetadataWriter.WriteModel(b, metadata));

        Assert.Equal(
            """{"name":"empty","versions":[],"platform":"fake","inputs":[],"outputs":[{"name":"s","datatype":"INT8","shape":[]}],"parameters":{"max_batch_size":0}}""",
            json);
    }

    [Theory]
    [InlineData("unknown model 'x'")]
    [InlineData("input 'a' has shape [1,4] but model 'pair' expects [-1,3]")]
    [InlineData("quote \" backslash \\ newline \n tab \t")]
    [InlineData("wörld 😀 <script>")]
    [InlineData("")]
    public void Error_IsAnObjectWithOneMessage(string message)
    {
        var json = Written(b => MetadataWriter.WriteError(b, message));

        using var document = JsonDocument.Parse(json);
        var property = Assert.Single(document.RootElement.EnumerateObject());
        Assert.Equal("error", property.Name);
        Assert.Equal(message, property.Value.GetString());
    }

    [Fact]
    public void Error_ExactText()
    {
        Assert.Equal("""{"error":"model not ready"}""", Written(b => MetadataWriter.WriteError(b, "model not ready")));
    }
}
