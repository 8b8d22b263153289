using Augur.Protocol.Grpc;
using Augur.Tensors;
using Google.Protobuf;
using Grpc.Core;

namespace Augur.Server.Tests.Grpc;

/// <summary>Builders and assertions shared by the gRPC tests.</summary>
internal static class GrpcRequests
{
    public static CallOptions Bounded => new(deadline: DateTime.UtcNow + ServerFixture.Timeout);

    /// <summary>One input, typed contents filled by <paramref name="fill"/>.</summary>
    public static ModelInferRequest Typed(string model, string input, string datatype, long[] shape, Action<InferTensorContents> fill, string? id = null)
    {
        var contents = new InferTensorContents();
        fill(contents);
        var tensor = new ModelInferRequest.Types.InferInputTensor { Name = input, Datatype = datatype, Contents = contents };
        tensor.Shape.Add(shape);
        var request = new ModelInferRequest { ModelName = model, Id = id ?? string.Empty };
        request.Inputs.Add(tensor);
        return request;
    }

    /// <summary>One input, raw contents.</summary>
    public static ModelInferRequest Raw(string model, string input, string datatype, long[] shape, byte[] raw, string? id = null)
    {
        var tensor = new ModelInferRequest.Types.InferInputTensor { Name = input, Datatype = datatype };
        tensor.Shape.Add(shape);
        var request = new ModelInferRequest { ModelName = model, Id = id ?? string.Empty };
        request.Inputs.Add(tensor);
        request.RawInputContents.Add(ByteString.CopyFrom(raw));
        return request;
    }

    public static ModelInferRequest Fp32(string id, params float[] values) =>
        GrpcRequestWriter.Create("identity_fp32", null, [InferenceTensor.Create("input", values, 1, values.Length)], raw: false).WithId(id);

    public static ModelInferRequest WithId(this ModelInferRequest request, string id)
    {
        request.Id = id;
        return request;
    }

    public static ModelInferRequest WithParameter(this ModelInferRequest request, string name, InferParameter value)
    {
        request.Parameters[name] = value;
        return request;
    }

    public static async Task<RpcException> FailsAsync(Func<Task> call)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(call);
        return ex;
    }
}
