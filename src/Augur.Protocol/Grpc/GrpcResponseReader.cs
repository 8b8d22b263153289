using Augur.Tensors;

namespace Augur.Protocol.Grpc;

/// <summary>Reads the output tensors of a <see cref="ModelInferResponse"/>, raw or typed, for clients.</summary>
public static class GrpcResponseReader
{
    /// <summary>The outputs as tensors; throws <see cref="FormatException"/> when the response disagrees with itself.</summary>
    public static IReadOnlyList<InferenceTensor> ReadOutputs(ModelInferResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var raw = response.RawOutputContents.Count > 0;
        if (raw && response.RawOutputContents.Count != response.Outputs.Count)
        {
            throw new FormatException($"the response has {response.Outputs.Count} outputs but {response.RawOutputContents.Count} raw_output_contents");
        }

        var outputs = new InferenceTensor[response.Outputs.Count];
        for (var i = 0; i < outputs.Length; i++)
        {
            var output = response.Outputs[i];
            if (!DataTypes.TryParse(output.Datatype, out var type))
            {
                throw new FormatException($"output '{output.Name}' has unknown datatype '{output.Datatype}'");
            }

            var shape = output.Shape.ToArray();
            string? problem;
            if (raw)
            {
                if (InferenceTensor.TryFromRaw(output.Name, type, shape, response.RawOutputContents[i].Memory, out outputs[i], out problem))
                {
                    continue;
                }
            }
            else if (TensorShape.TryGetElementCount(shape, out var count, out problem)
                && TypedContents.TryDecode(output.Name, type, count, output.Contents ?? new InferTensorContents(), out var bytes, out problem))
            {
                outputs[i] = InferenceTensor.FromRaw(output.Name, type, shape, bytes);
                continue;
            }

            throw new FormatException($"output '{output.Name}': {problem}");
        }

        return outputs;
    }
}
