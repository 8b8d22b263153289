using Augur.Inference;
using Augur.Models;
using Augur.OnnxRuntime.Onnx;
using Augur.OnnxRuntime.Onnx.Proto;
using Augur.Tensors;
using Augur.Testing;
using Augur.Testing.Fakes;
using Google.Protobuf;

namespace Augur.OnnxRuntime.Tests;

/// <summary>External data (tensors stored beside model.onnx) is read from the version folder and nowhere else.</summary>
public sealed class ExternalDataTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly float[] Weights = [1.5f, -2f, 4f];
    private readonly TempRepository _repository = new();
    private readonly DirectoryInfo _outside = Directory.CreateTempSubdirectory("augur-outside-");

    public void Dispose()
    {
        _repository.Dispose();
        _outside.Delete(recursive: true);
    }

    /// <summary><c>y = x * w</c>, x FP32 [-1, 3], with w stored as external data at <paramref name="location"/>.</summary>
    private static byte[] ScaleModel(string location)
    {
        var builder = new OnnxGraphBuilder("scale").AddInput("x", DataType.Fp32, -1, 3).AddOutput("y", DataType.Fp32, -1, 3);
        var w = builder.AddInitializer("w", Weights, 3);
        var model = ModelProto.Parser.ParseFrom(builder.AddNode("Mul", ["x", w], ["y"]).ToBytes());
        var tensor = model.Graph.Initializer.Single();
        tensor.RawData = ByteString.Empty;
        tensor.FloatData.Clear();
        tensor.DataLocation = TensorProto.Types.DataLocation.External;
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = "0" });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = "12" });
        return model.ToByteArray();
    }

    private static byte[] WeightBytes() => Weights.SelectMany(BitConverter.GetBytes).ToArray();

    private async Task<(InferenceEngine Engine, ModelStatus Status)> LoadAsync()
    {
        var engine = await new InferenceEngineBuilder().UseModelRepository(_repository.Path).UseOnnxRuntime().BuildAsync().WaitAsync(Timeout);
        return (engine, engine.Models.Single());
    }

    [Fact]
    public async Task External_data_inside_the_version_folder_is_loaded_from_there()
    {
        TestModels.WriteModel(_repository.Path, "scale", ScaleModel("weights.bin"));
        File.WriteAllBytes(Path.Combine(_repository.ModelPath("scale"), "1", "weights.bin"), WeightBytes());

        var (engine, status) = await LoadAsync();
        await using (engine)
        {
            Assert.True(status.State == ModelState.Ready, status.Reason);
            var response = await engine.InferAsync(new InferenceRequest("scale", [InferenceTensor.Create("x", new[] { 2f, 2f, 2f }, 1, 3)])).AsTask().WaitAsync(Timeout);
            Assert.Equal([3f, -4f, 8f], response["y"].ToArray<float>());
        }
    }

    [Theory]
    [InlineData("../weights.bin", "leaves the model folder")]
    [InlineData("../../outside/weights.bin", "leaves the model folder")]
    [InlineData("sub/../../weights.bin", "leaves the model folder")]
    [InlineData("..\\weights.bin", "leaves the model folder")]
    [InlineData("/etc/passwd", "absolute location")]
    [InlineData("", "with no location")]
    [InlineData("weights\0.bin", "control characters")]
    public async Task External_data_that_leaves_the_folder_makes_the_version_unavailable(string location, string expected)
    {
        TestModels.WriteModel(_repository.Path, "scale", ScaleModel(location));
        File.WriteAllBytes(Path.Combine(_repository.ModelPath("scale"), "weights.bin"), WeightBytes());

        var (engine, status) = await LoadAsync();
        await using (engine)
        {
            Assert.Equal(ModelState.Unavailable, status.State);
            Assert.Contains("tensor 'w' has external data", status.Reason, StringComparison.Ordinal);
            Assert.Contains(expected, status.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_link_in_the_folder_to_a_file_outside_it_is_refused()
    {
        var secret = Path.Combine(_outside.FullName, "secret.bin");
        File.WriteAllBytes(secret, WeightBytes());
        TestModels.WriteModel(_repository.Path, "scale", ScaleModel("weights.bin"));
        File.CreateSymbolicLink(Path.Combine(_repository.ModelPath("scale"), "1", "weights.bin"), secret);

        var (engine, status) = await LoadAsync();
        await using (engine)
        {
            Assert.Equal(ModelState.Unavailable, status.State);
            Assert.Contains("a link to a file outside the model folder", status.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Tensors_in_subgraphs_are_checked_too()
    {
        var inner = new GraphProto { Name = "then" };
        inner.Initializer.Add(new TensorProto
        {
            Name = "hidden",
            DataLocation = TensorProto.Types.DataLocation.External,
            ExternalData = { new StringStringEntryProto { Key = "location", Value = "../../etc/shadow" } },
        });
        var node = new NodeProto { OpType = "If" };
        node.Attribute.Add(new AttributeProto { Name = "then_branch", G = inner, Type = AttributeProto.Types.AttributeType.Graph });
        var model = new ModelProto { Graph = new GraphProto { Name = "outer", Node = { node } } };

        var problem = ExternalDataCheck.Check(model.ToByteArray(), _repository.Path);

        Assert.Contains("tensor 'hidden'", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_truncated_model_file_is_unavailable_with_a_reason()
    {
        var bytes = ScaleModel("weights.bin");
        TestModels.WriteModel(_repository.Path, "scale", bytes[..(bytes.Length / 2)]);

        var (engine, status) = await LoadAsync();
        await using (engine)
        {
            Assert.Equal(ModelState.Unavailable, status.State);
            Assert.False(string.IsNullOrEmpty(status.Reason));
        }
    }
}
