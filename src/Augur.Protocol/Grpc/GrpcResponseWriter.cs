using Augur.Inference;
using Augur.Models;
using Augur.Tensors;
using Google.Protobuf;

namespace Augur.Protocol.Grpc;

/// <summary>Encodes engine responses and metadata as the gRPC service's messages.</summary>
public static class GrpcResponseWriter
{
    /// <summary>
    /// Encodes <paramref name="response"/>. Outputs go in <c>raw_output_contents</c> when <paramref name="raw"/> is true
    /// (the request used raw inputs) or when an output is FP16/BF16, which has no typed field; otherwise in each output's
    /// typed <c>contents</c>. Raw outputs wrap the tensors' bytes without a copy.
    /// </summary>
    public static ModelInferResponse Write(InferenceResponse response, bool raw)
    {
        ArgumentNullException.ThrowIfNull(response);
        var message = new ModelInferResponse
        {
            ModelName = response.ModelName,
            ModelVersion = response.ModelVersion,
            Id = response.Id ?? string.Empty,
        };
        if (response.PredictionSource is { } source)
        {
            message.Parameters[Json.ProtocolParameters.PredictionSource] = new InferParameter { StringParam = source };
        }

        raw |= response.Outputs.Any(o => TypedContents.FieldOf(o.DataType) is null);
        foreach (var output in response.Outputs)
        {
            var tensor = new ModelInferResponse.Types.InferOutputTensor { Name = output.Name, Datatype = output.DataType.Name() };
            tensor.Shape.Add(output.Shape.ToArray());
            if (raw)
            {
                message.RawOutputContents.Add(UnsafeByteOperations.UnsafeWrap(output.Data));
            }
            else
            {
                TypedContents.TryEncode(output, out var contents);
                tensor.Contents = contents;
            }

            message.Outputs.Add(tensor);
        }

        return message;
    }

    /// <summary>Encodes model metadata (shapes keep -1 for variable dimensions, as REST does).</summary>
    public static ModelMetadataResponse WriteMetadata(ModelMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var message = new ModelMetadataResponse { Name = metadata.Name, Platform = metadata.Platform };
        message.Versions.Add(metadata.Versions);
        message.Inputs.Add(metadata.Signature.Inputs.Select(Describe));
        message.Outputs.Add(metadata.Signature.Outputs.Select(Describe));
        return message;
    }

    private static ModelMetadataResponse.Types.TensorMetadata Describe(TensorSpec spec)
    {
        var tensor = new ModelMetadataResponse.Types.TensorMetadata { Name = spec.Name, Datatype = spec.DataType.Name() };
        tensor.Shape.Add(spec.Shape);
        return tensor;
    }
}
