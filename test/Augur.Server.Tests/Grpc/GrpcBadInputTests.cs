using Augur.Protocol.Grpc;
using Augur.Tensors;
using Google.Protobuf;
using Grpc.Core;
using static Augur.Server.Tests.Grpc.GrpcRequests;

namespace Augur.Server.Tests.Grpc;

/// <summary>What each bad gRPC request gets: a status code and a message naming the input and the problem.</summary>
[Collection(ServerCollection.Name)]
public sealed class GrpcBadInputTests(ServerFixture server)
{
    private readonly GRPCInferenceService.GRPCInferenceServiceClient _client = new(server.Channel);

    public static TheoryData<string, ModelInferRequest, StatusCode, string> Cases() => new()
    {
        { "unknown model", Fp32("x", 1f).WithModel("nope"), StatusCode.NotFound, "unknown model 'nope'" },
        { "no model name", Fp32("x", 1f).WithModel(string.Empty), StatusCode.InvalidArgument, "the request needs a model_name" },
        { "broken model", Fp32("x", 1f).WithModel("broken"), StatusCode.Unavailable, "model 'broken' is not ready: " },
        { "unknown version", Fp32("x", 1f).WithModel("versioned", "9"), StatusCode.NotFound, "model 'versioned' has no version 9" },
        { "count vs shape", Typed("identity_fp32", "input", "FP32", [2, 2], c => c.Fp32Contents.Add([1f, 2f, 3f])), StatusCode.InvalidArgument,
            "input 'input': the shape needs 4 elements but fp32_contents has 3" },
        { "unknown datatype", Typed("identity_fp32", "input", "FLOAT", [1], c => c.Fp32Contents.Add(1f)), StatusCode.InvalidArgument,
            "input 'input' has unknown datatype 'FLOAT'; expected one of " },
        { "wrong contents field", Typed("identity_fp32", "input", "FP32", [1, 1], c => c.Fp64Contents.Add(1d)), StatusCode.InvalidArgument,
            "input 'input' is FP32 but has elements in fp64_contents; FP32 goes in fp32_contents" },
        { "datatype the model does not take", Typed("identity_fp32", "input", "INT64", [1, 1], c => c.Int64Contents.Add(1)), StatusCode.InvalidArgument,
            "input 'input' has datatype INT64 but model 'identity_fp32' expects FP32" },
        { "shape the model does not take", Typed("identity_int8", "input", "INT8", [1, 3], c => c.IntContents.Add([1, 2, 3])), StatusCode.InvalidArgument,
            "input 'input' has shape [1,3] but model 'identity_int8' expects [-1,4]" },
        { "INT8 out of range", Typed("identity_int8", "input", "INT8", [1, 4], c => c.IntContents.Add([1, 2, 300, 4])), StatusCode.InvalidArgument,
            "input 'input': element 2 is 300, outside the datatype's range -128..127" },
        { "negative dimension", Typed("identity_fp32", "input", "FP32", [-1, 1], c => c.Fp32Contents.Add(1f)), StatusCode.InvalidArgument, "input 'input': " },
        { "raw size", Raw("identity_fp32", "input", "FP32", [1, 3], new byte[11]), StatusCode.InvalidArgument,
            "input 'input': raw_input_contents 0 has 11 bytes that disagree with the shape: shape [1,3] of FP32 needs 12 bytes but the data has 11" },
        { "raw BYTES malformed", Raw("identity_bytes", "input", "BYTES", [1], [9, 0, 0, 0, 1]), StatusCode.InvalidArgument,
            "input 'input': raw_input_contents 0 has 5 bytes that disagree with the shape: BYTES data is malformed" },
        { "raw count", Raw("identity_fp32", "input", "FP32", [1, 1], new byte[4]).WithExtraRaw(), StatusCode.InvalidArgument,
            "the request has 1 inputs but 2 raw_input_contents; send one per input, in order" },
        { "raw and contents", Raw("identity_fp32", "input", "FP32", [1, 1], new byte[4]).WithContents(), StatusCode.InvalidArgument,
            "input 'input' has contents but the request uses raw_input_contents; send every input one way" },
        { "no data", Typed("identity_fp32", "input", "FP32", [1, 1], _ => { }).WithoutContents(), StatusCode.InvalidArgument,
            "input 'input' has neither contents nor raw_input_contents" },
        { "missing input", Typed("two_inputs", "a", "FP32", [1, 3], c => c.Fp32Contents.Add([1f, 2f, 3f])), StatusCode.InvalidArgument,
            "missing input 'b' (INT64 [-1,1]) for model 'two_inputs'" },
        { "priority as a string", Fp32("x", 1f).WithParameter("priority", new InferParameter { StringParam = "high" }), StatusCode.InvalidArgument,
            "parameter 'priority' of the request must be a non-negative integer, not the string_param \"high\"" },
        { "negative timeout", Fp32("x", 1f).WithParameter("timeout", new InferParameter { Int64Param = -5 }), StatusCode.InvalidArgument,
            "parameter 'timeout' of the request must be a non-negative integer, not the int64_param -5" },
        { "sequence_id as a double", Fp32("x", 1f).WithParameter("sequence_id", new InferParameter { DoubleParam = 1.5 }), StatusCode.InvalidArgument,
            "parameter 'sequence_id' of the request must be an unsigned 64-bit integer or a string, not the double_param 1.5" },
        { "sequence_start without an id", Fp32("x", 1f).WithParameter("sequence_start", new InferParameter { BoolParam = true }), StatusCode.InvalidArgument,
            "parameter 'sequence_start' of the request needs a non-zero 'sequence_id'" },
        { "sequence_end as an integer", Fp32("x", 1f).WithParameter("sequence_id", new InferParameter { Int64Param = 7 }).WithParameter("sequence_end", new InferParameter { Int64Param = 1 }),
            StatusCode.InvalidArgument, "parameter 'sequence_end' of the request must be a boolean, not the int64_param 1" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_request_gets_its_status_and_a_message_naming_the_problem(string what, ModelInferRequest request, StatusCode code, string messageStart)
    {
        var refused = await FailsAsync(() => _client.ModelInferAsync(request, Bounded).ResponseAsync);

        Assert.True(code == refused.StatusCode, $"{what}: {refused.StatusCode} {refused.Status.Detail}");
        Assert.StartsWith(messageStart, refused.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_over_the_size_limit_gets_RESOURCE_EXHAUSTED()
    {
        var values = new float[(ServerFixture.MaxBodyBytes / 4) + 16];
        var request = GrpcRequestWriter.Create("identity_fp32", null, [InferenceTensor.Create("input", values, 1, values.Length)], raw: true);

        var refused = await FailsAsync(() => _client.ModelInferAsync(request, Bounded).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
    }
}

internal static class BadRequestBuilders
{
    public static ModelInferRequest WithModel(this ModelInferRequest request, string model, string? version = null)
    {
        request.ModelName = model;
        request.ModelVersion = version ?? string.Empty;
        return request;
    }

    public static ModelInferRequest WithExtraRaw(this ModelInferRequest request)
    {
        request.RawInputContents.Add(ByteString.CopyFrom(new byte[4]));
        return request;
    }

    public static ModelInferRequest WithContents(this ModelInferRequest request)
    {
        request.Inputs[0].Contents = new InferTensorContents { Fp32Contents = { 1f } };
        return request;
    }

    public static ModelInferRequest WithoutContents(this ModelInferRequest request)
    {
        request.Inputs[0].Contents = null;
        return request;
    }
}
