using System.Text.Json.Nodes;
using Augur.Protocol.Grpc;
using Augur.Tensors;
using static Augur.Server.Tests.Grpc.GrpcRequests;

namespace Augur.Server.Tests.Grpc;

/// <summary>gRPC and REST are two doors to one engine: the same request gives the same outputs.</summary>
[Collection(ServerCollection.Name)]
public sealed class GrpcRestEquivalenceTests(ServerFixture server)
{
    private readonly GRPCInferenceService.GRPCInferenceServiceClient _client = new(server.Channel);

    [Fact]
    public async Task The_fraud_sample_gives_the_same_outputs_over_gRPC_typed_gRPC_raw_and_REST()
    {
        float[] features = [0.3f, 0, 0, 0.5f, 1, 0, 0.5f, 0.5f, 0.1f, 0, 1.2f, -0.3f, 0, 1, -0.2f, 0.1f, 3f, 2f, -1f, 0, 0, 0.25f, 0.75f, 1f];
        var input = InferenceTensor.Create("features", features, 3, 8);
        var rest = await server.PostAsync("/v2/models/fraud/infer", JsonNode.Parse($$"""
            {"inputs": [{"name": "features", "shape": [3, 8], "datatype": "FP32", "data": [{{string.Join(",", features.Select(f => f.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}}]}]}
            """)!);
        Assert.Equal(200, rest.Status);
        var restOutputs = rest.Json["outputs"]!.AsArray();

        foreach (var raw in new[] { false, true })
        {
            var response = await _client.ModelInferAsync(GrpcRequestWriter.Create("fraud", null, [input], raw), Bounded);
            var outputs = GrpcResponseReader.ReadOutputs(response);

            Assert.Equal(restOutputs.Select(o => o!["name"]!.GetValue<string>()), outputs.Select(o => o.Name));
            Assert.Equal(restOutputs[0]!["data"]!.AsArray().Select(v => v!.GetValue<float>()), outputs[0].ToArray<float>());
            Assert.Equal(restOutputs[1]!["data"]!.AsArray().Select(v => v!.GetValue<long>()), outputs[1].ToArray<long>());
            Assert.Equal([3L, 1L], outputs[0].Shape.ToArray());
        }
    }

    [Fact]
    public async Task Two_inputs_give_the_same_outputs_over_gRPC_and_in_process()
    {
        InferenceTensor[] inputs = [InferenceTensor.Create("a", new[] { 0.5f, 1.5f, 2.5f, 9f, 8f, 7f }, 2, 3), InferenceTensor.Create("b", new[] { -3L, 4L }, 2, 1)];
        var direct = await server.Engine.InferAsync(new Inference.InferenceRequest("two_inputs", inputs));

        var outputs = GrpcResponseReader.ReadOutputs(await _client.ModelInferAsync(GrpcRequestWriter.Create("two_inputs", null, inputs, raw: false), Bounded));

        Assert.Equal(direct.Outputs.Select(o => (o.Name, o.DataType, Convert.ToHexString(o.Data.Span))), outputs.Select(o => (o.Name, o.DataType, Convert.ToHexString(o.Data.Span))));
    }
}
