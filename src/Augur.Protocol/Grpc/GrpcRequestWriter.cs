using Augur.Tensors;
using Google.Protobuf;

namespace Augur.Protocol.Grpc;

/// <summary>Builds <see cref="ModelInferRequest"/>s from tensors, for clients (augur bench, tests, your own code).</summary>
public static class GrpcRequestWriter
{
    /// <summary>
    /// A request for <paramref name="model"/> with <paramref name="inputs"/>, in <c>raw_input_contents</c> when
    /// <paramref name="raw"/> is true (required for FP16/BF16), otherwise in typed contents.
    /// </summary>
    public static ModelInferRequest Create(string model, string? version, IReadOnlyList<InferenceTensor> inputs, bool raw)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var message = new ModelInferRequest { ModelName = model, ModelVersion = version ?? string.Empty };
        foreach (var input in inputs)
        {
            var tensor = new ModelInferRequest.Types.InferInputTensor { Name = input.Name, Datatype = input.DataType.Name() };
            tensor.Shape.Add(input.Shape.ToArray());
            if (raw)
            {
                message.RawInputContents.Add(ByteString.CopyFrom(input.Data.Span));
            }
            else if (TypedContents.TryEncode(input, out var contents))
            {
                tensor.Contents = contents;
            }
            else
            {
                throw new ArgumentException($"input '{input.Name}' is {input.DataType.Name()}, which has no typed contents; send it raw", nameof(inputs));
            }

            message.Inputs.Add(tensor);
        }

        return message;
    }
}
