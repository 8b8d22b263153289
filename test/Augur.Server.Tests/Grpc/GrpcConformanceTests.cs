using Augur.Protocol.Grpc;
using Augur.Tensors;
using Google.Protobuf;
using Grpc.Core;
using static Augur.Server.Tests.Grpc.GrpcRequests;

namespace Augur.Server.Tests.Grpc;

/// <summary>Every RPC of inference.GRPCInferenceService against a real Kestrel, with a Grpc.Net.Client client.</summary>
[Collection(ServerCollection.Name)]
public sealed class GrpcConformanceTests(ServerFixture server)
{
    private readonly GRPCInferenceService.GRPCInferenceServiceClient _client = new(server.Channel);

    [Fact]
    public async Task Server_live_and_ready_answer_true()
    {
        Assert.True((await _client.ServerLiveAsync(new ServerLiveRequest(), Bounded)).Live);
        Assert.True((await _client.ServerReadyAsync(new ServerReadyRequest(), Bounded)).Ready);
    }

    [Fact]
    public async Task Server_metadata_names_the_server_and_its_extensions()
    {
        var metadata = await _client.ServerMetadataAsync(new ServerMetadataRequest(), Bounded);

        Assert.Equal(ServerFixture.ServerName, metadata.Name);
        Assert.NotEmpty(metadata.Version);
        Assert.Equal(Protocol.Json.MetadataWriter.Extensions, metadata.Extensions);
    }

    [Fact]
    public async Task Model_ready_is_true_for_a_served_model_false_for_a_broken_one_and_NOT_FOUND_for_an_unknown_one()
    {
        Assert.True((await _client.ModelReadyAsync(new ModelReadyRequest { Name = "fraud" }, Bounded)).Ready);
        Assert.True((await _client.ModelReadyAsync(new ModelReadyRequest { Name = "versioned", Version = "1" }, Bounded)).Ready);
        Assert.False((await _client.ModelReadyAsync(new ModelReadyRequest { Name = "broken" }, Bounded)).Ready);

        var unknown = await FailsAsync(() => _client.ModelReadyAsync(new ModelReadyRequest { Name = "nope" }, Bounded).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("unknown model 'nope'", unknown.Status.Detail);
        var badVersion = await FailsAsync(() => _client.ModelReadyAsync(new ModelReadyRequest { Name = "fraud", Version = "x" }, Bounded).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, badVersion.StatusCode);
    }

    [Fact]
    public async Task Model_metadata_describes_inputs_and_outputs_with_minus_one_for_variable_dimensions()
    {
        var metadata = await _client.ModelMetadataAsync(new ModelMetadataRequest { Name = "two_inputs" }, Bounded);

        Assert.Equal("two_inputs", metadata.Name);
        Assert.Equal(["1"], metadata.Versions);
        Assert.Equal("onnxruntime_onnx", metadata.Platform);
        Assert.Equal(["a:FP32:-1,3", "b:INT64:-1,1"], metadata.Inputs.Select(t => $"{t.Name}:{t.Datatype}:{string.Join(',', t.Shape)}"));
        Assert.Equal(["sum:INT64:-1,1", "doubled:FP32:-1,3"], metadata.Outputs.Select(t => $"{t.Name}:{t.Datatype}:{string.Join(',', t.Shape)}"));

        var unknown = await FailsAsync(() => _client.ModelMetadataAsync(new ModelMetadataRequest { Name = "nope" }, Bounded).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        var broken = await FailsAsync(() => _client.ModelMetadataAsync(new ModelMetadataRequest { Name = "broken" }, Bounded).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, broken.StatusCode);
    }

    [Fact]
    public async Task Typed_FP32_and_INT64_contents_are_answered_with_typed_contents()
    {
        var request = GrpcRequestWriter.Create("two_inputs", null,
            [InferenceTensor.Create("a", new[] { 1.5f, 2.5f, 3.9f, -1f, -2f, -3f }, 2, 3), InferenceTensor.Create("b", new[] { 10L, 20L }, 2, 1)], raw: false);
        request.Id = "typed-1";

        var response = await _client.ModelInferAsync(request, Bounded);

        Assert.Equal("typed-1", response.Id);
        Assert.Equal("two_inputs", response.ModelName);
        Assert.Equal("1", response.ModelVersion);
        Assert.Empty(response.RawOutputContents);
        Assert.Equal([16L, 14L], response.Outputs[0].Contents.Int64Contents);
        Assert.Equal([3f, 5f, 7.8f, -2f, -4f, -6f], response.Outputs[1].Contents.Fp32Contents);
        Assert.Equal([2L, 3L], response.Outputs[1].Shape);
    }

    [Fact]
    public async Task Raw_contents_are_answered_with_raw_contents()
    {
        var request = GrpcRequestWriter.Create("two_inputs", null,
            [InferenceTensor.Create("a", new[] { 1f, 2f, 3f }, 1, 3), InferenceTensor.Create("b", new[] { 5L }, 1, 1)], raw: true);

        var response = await _client.ModelInferAsync(request, Bounded);

        Assert.Equal(2, response.RawOutputContents.Count);
        Assert.All(response.Outputs, o => Assert.Null(o.Contents));
        var outputs = GrpcResponseReader.ReadOutputs(response);
        Assert.Equal([11L], outputs[0].ToArray<long>());
        Assert.Equal([2f, 4f, 6f], outputs[1].ToArray<float>());
    }

    [Fact]
    public async Task Requested_outputs_are_returned_in_the_order_asked()
    {
        var request = GrpcRequestWriter.Create("two_inputs", null,
            [InferenceTensor.Create("a", new[] { 1f, 2f, 3f }, 1, 3), InferenceTensor.Create("b", new[] { 5L }, 1, 1)], raw: false);
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "doubled" });

        var response = await _client.ModelInferAsync(request, Bounded);

        Assert.Equal(["doubled"], response.Outputs.Select(o => o.Name));
    }

    [Fact]
    public async Task BYTES_BOOL_INT8_and_UINT64_round_trip_typed_and_raw()
    {
        var bytes = InferenceTensor.FromRaw("input", DataType.Bytes, [3], BytesElements.Encode(new[] { "héllo", "", "\u0001bin" }));
        var flags = InferenceTensor.Create("input", new[] { true, false, false, true }, 1, 4);
        var small = InferenceTensor.Create("input", new sbyte[] { -128, -1, 0, 127 }, 1, 4);
        var large = InferenceTensor.Create("input", new[] { 0UL, 1UL, ulong.MaxValue, 42UL }, 1, 4);
        foreach (var (model, tensor) in new[] { ("identity_bytes", bytes), ("identity_bool", flags), ("identity_int8", small), ("identity_uint64", large) })
        {
            foreach (var raw in new[] { false, true })
            {
                var response = await _client.ModelInferAsync(GrpcRequestWriter.Create(model, null, [tensor], raw), Bounded);

                var output = Assert.Single(GrpcResponseReader.ReadOutputs(response));
                Assert.Equal(tensor.DataType, output.DataType);
                Assert.Equal(tensor.Shape.ToArray(), output.Shape.ToArray());
                Assert.Equal(tensor.Data.ToArray(), output.Data.ToArray());
                Assert.Equal(raw, response.RawOutputContents.Count == 1);
            }
        }
    }

    [Fact]
    public async Task FP16_travels_raw_and_typed_contents_for_it_are_refused()
    {
        var halves = InferenceTensor.Create("input", new[] { (Half)1.5, (Half)(-2), Half.NaN, (Half)65504 }, 1, 4);

        var response = await _client.ModelInferAsync(GrpcRequestWriter.Create("identity_fp16", null, [halves], raw: true), Bounded);

        Assert.Equal(halves.Data.ToArray(), response.RawOutputContents.Single().ToByteArray());
        var typed = Typed("identity_fp16", "input", "FP16", [1, 4], c => c.Fp32Contents.Add([1f, 2f, 3f, 4f]));
        var refused = await FailsAsync(() => _client.ModelInferAsync(typed, Bounded).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Equal("input 'input': FP16 has no typed contents field; send it in raw_input_contents", refused.Status.Detail);
    }

    [Fact]
    public async Task A_version_can_be_asked_for()
    {
        var request = GrpcRequestWriter.Create("versioned", "1", [InferenceTensor.Create("input", new[] { 1f, 2f }, 1, 2)], raw: false);

        var response = await _client.ModelInferAsync(request, Bounded);

        Assert.Equal("1", response.ModelVersion);
        var wrong = GrpcRequestWriter.Create("versioned", "2", [InferenceTensor.Create("input", new[] { 1f, 2f }, 1, 2)], raw: false);
        var refused = await FailsAsync(() => _client.ModelInferAsync(wrong, Bounded).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("'input'", refused.Status.Detail, StringComparison.Ordinal);
    }
}
