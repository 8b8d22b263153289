using Augur.Errors;
using Augur.Inference;
using Augur.Protocol.Parameters;
using Augur.Tensors;

namespace Augur.Protocol.Grpc;

/// <summary>
/// Decodes a gRPC <see cref="ModelInferRequest"/> into an <see cref="InferenceRequest"/>. Typed contents are checked
/// (field, count, range) and written into Augur's byte layout; raw contents are wrapped without a copy, so the message
/// must outlive the request. Every problem is an <see cref="ErrorCode.InvalidArgument"/> error naming the input; what
/// the model accepts (names, datatypes, shapes) is left to the engine's validator, as for REST.
/// </summary>
public static class GrpcRequestReader
{
    /// <summary>Decodes <paramref name="message"/>, or says what is wrong with it.</summary>
    public static bool TryRead(ModelInferRequest message, out DecodedGrpcRequest decoded, out InferenceError? error)
    {
        ArgumentNullException.ThrowIfNull(message);
        decoded = null!;
        if (message.ModelName.Length == 0)
        {
            return Fail("the request needs a model_name", out error);
        }

        if (!RequestParameters.TryRead(new GrpcParameterSource(message.Parameters), out var parameters, out error))
        {
            return false;
        }

        var raw = message.RawInputContents.Count > 0;
        if (raw && message.RawInputContents.Count != message.Inputs.Count)
        {
            return Fail($"the request has {message.Inputs.Count} inputs but {message.RawInputContents.Count} raw_input_contents; send one per input, in order", out error);
        }

        var inputs = new InferenceTensor[message.Inputs.Count];
        for (var i = 0; i < inputs.Length; i++)
        {
            if (!TryReadInput(message, i, raw, out inputs[i], out error))
            {
                return false;
            }
        }

        List<string>? requested = null;
        foreach (var output in message.Outputs)
        {
            if (output.Name.Length == 0)
            {
                return Fail("each requested output needs a name", out error);
            }

            (requested ??= []).Add(output.Name);
        }

        var request = new InferenceRequest(message.ModelName, inputs)
        {
            ModelVersion = message.ModelVersion.Length == 0 ? null : message.ModelVersion,
            Id = message.Id.Length == 0 ? null : message.Id,
            RequestedOutputs = requested,
            Priority = parameters.Priority,
            Timeout = parameters.Timeout,
            Sequence = parameters.Sequence,
            PredictionKey = parameters.PredictionKey,
        };
        decoded = new DecodedGrpcRequest(request, raw);
        return true;
    }

    private static bool TryReadInput(ModelInferRequest message, int index, bool raw, out InferenceTensor tensor, out InferenceError? error)
    {
        tensor = null!;
        var input = message.Inputs[index];
        if (input.Name.Length == 0)
        {
            return Fail($"input {index} needs a name", out error);
        }

        var name = input.Name;
        if (!DataTypes.TryParse(input.Datatype, out var type))
        {
            return Fail($"input '{name}' has unknown datatype '{input.Datatype}'; expected one of {string.Join(", ", DataTypes.All.Select(t => t.Name()))}", out error);
        }

        var shape = input.Shape.ToArray();
        if (!TensorShape.TryGetElementCount(shape, out var count, out var problem))
        {
            return Fail($"input '{name}': {problem}", out error);
        }

        if (input.Parameters.ContainsKey("shared_memory_region"))
        {
            return Fail($"input '{name}': shared memory is not supported; send the data in the request", out error);
        }

        if (raw)
        {
            if (input.Contents is not null)
            {
                return Fail($"input '{name}' has contents but the request uses raw_input_contents; send every input one way", out error);
            }

            var data = message.RawInputContents[index];
            if (!InferenceTensor.TryFromRaw(name, type, shape, data.Memory, out tensor, out problem))
            {
                return Fail($"input '{name}': raw_input_contents {index} has {data.Length} bytes that disagree with the shape: {problem}", out error);
            }

            error = null;
            return true;
        }

        if (input.Contents is null)
        {
            // An empty tensor needs no elements; protobuf drops an empty contents message on the wire.
            if (count == 0 && TypedContents.FieldOf(type) is not null)
            {
                tensor = InferenceTensor.FromRaw(name, type, shape, ReadOnlyMemory<byte>.Empty);
                error = null;
                return true;
            }

            return Fail($"input '{name}' has neither contents nor raw_input_contents", out error);
        }

        if (!TypedContents.TryDecode(name, type, count, input.Contents, out var bytes, out problem))
        {
            return Fail(problem!, out error);
        }

        tensor = InferenceTensor.FromRaw(name, type, shape, bytes);
        error = null;
        return true;
    }

    private static bool Fail(string message, out InferenceError? error)
    {
        error = InferenceError.Invalid(message);
        return false;
    }
}
