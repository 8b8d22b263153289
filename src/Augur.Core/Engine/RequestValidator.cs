using Augur.Errors;
using Augur.Inference;
using Augur.Models;
using Augur.Tensors;

namespace Augur.Engine;

/// <summary>
/// Checks a request against the served signature before anything reaches a backend: every input
/// known, present once, of the right datatype and shape; batch sizes consistent and within the limit;
/// requested outputs known. Messages name the model and the offending tensor.
/// </summary>
internal static class RequestValidator
{
    public static InferenceError? Validate(InferenceRequest request, LoadedVersion model)
    {
        var signature = model.Signature;
        var batchSize = -1L;
        string? batchInput = null;
        for (var i = 0; i < request.Inputs.Count; i++)
        {
            var input = request.Inputs[i];
            if (input is null)
            {
                return InferenceError.Invalid($"input {i} of the request is null");
            }

            var spec = signature.FindInput(input.Name);
            if (spec is null)
            {
                return InferenceError.Invalid($"model '{model.Name}' has no input '{input.Name}'; its inputs are: {Names(signature.Inputs)}");
            }

            for (var j = 0; j < i; j++)
            {
                if (request.Inputs[j].Name == input.Name)
                {
                    return InferenceError.Invalid($"input '{input.Name}' appears more than once");
                }
            }

            if (input.DataType != spec.DataType)
            {
                return InferenceError.Invalid($"input '{input.Name}' has datatype {input.DataType.Name()} but model '{model.Name}' expects {spec.DataType.Name()}");
            }

            if (!TensorShape.Matches(spec.Shape, input.Shape))
            {
                return InferenceError.Invalid($"input '{input.Name}' has shape {TensorShape.Format(input.Shape)} but model '{model.Name}' expects {TensorShape.Format(spec.Shape)}");
            }

            if (model.MaxBatchSize > 0)
            {
                var error = CheckBatch(input, model, ref batchSize, ref batchInput);
                if (error is not null)
                {
                    return error;
                }
            }
        }

        foreach (var spec in signature.Inputs)
        {
            if (request.FindInput(spec.Name) is null)
            {
                return InferenceError.Invalid($"missing input '{spec.Name}' ({spec.DataType.Name()} {TensorShape.Format(spec.Shape)}) for model '{model.Name}'");
            }
        }

        return ValidateRequestedOutputs(request, model) ?? ValidateScheduling(request, model);
    }

    private static InferenceError? ValidateScheduling(InferenceRequest request, LoadedVersion model)
    {
        var levels = model.Batching.PriorityLevels;
        if (request.Priority < 0 || request.Priority > levels)
        {
            return InferenceError.Invalid(levels == 1
                ? $"priority {request.Priority} is not available: model '{model.Name}' has one priority level (use 0 or 1)"
                : $"priority {request.Priority} is outside 1..{levels}, the priority levels of model '{model.Name}' (0 takes its default, {model.Batching.EffectiveDefaultPriority})");
        }

        return request.Timeout is { } timeout && timeout <= TimeSpan.Zero
            ? InferenceError.Invalid($"timeout must be positive, not {timeout.TotalMicroseconds} µs")
            : null;
    }

    private static InferenceError? CheckBatch(InferenceTensor input, LoadedVersion model, ref long batchSize, ref string? batchInput)
    {
        var size = input.Shape[0];
        if (size < 1)
        {
            return InferenceError.Invalid($"input '{input.Name}' has batch size 0; a request needs at least one sample");
        }

        if (size > model.MaxBatchSize)
        {
            return InferenceError.Invalid($"input '{input.Name}' has batch size {size} but model '{model.Name}' accepts at most {model.MaxBatchSize}");
        }

        if (batchInput is not null && size != batchSize)
        {
            return InferenceError.Invalid($"inputs disagree on the batch size: '{batchInput}' has {batchSize}, '{input.Name}' has {size}");
        }

        batchSize = size;
        batchInput = input.Name;
        return null;
    }

    private static InferenceError? ValidateRequestedOutputs(InferenceRequest request, LoadedVersion model)
    {
        var requested = request.RequestedOutputs;
        if (requested is null)
        {
            return null;
        }

        for (var i = 0; i < requested.Count; i++)
        {
            if (requested[i] is null || model.Signature.FindOutput(requested[i]) is null)
            {
                return InferenceError.Invalid($"model '{model.Name}' has no output '{requested[i]}'; its outputs are: {Names(model.Signature.Outputs)}");
            }

            for (var j = 0; j < i; j++)
            {
                if (requested[j] == requested[i])
                {
                    return InferenceError.Invalid($"output '{requested[i]}' is requested more than once");
                }
            }
        }

        return null;
    }

    private static string Names(IReadOnlyList<TensorSpec> tensors) => string.Join(", ", tensors.Select(t => t.Name));
}
