using Augur.Backends;
using Augur.Errors;
using Augur.Inference;
using Augur.Models;
using Augur.OnnxRuntime.Backend;
using Augur.OnnxRuntime.Pipelines;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Sharing.Prefixes;

/// <summary>
/// Runs a batch of a model that shares its prefix (design note 0018): the requests' prefix inputs joined along the
/// first dimension and sent to the shared step (which may join them with other models' batches), then the suffix on
/// the prefix's outputs, and the outputs split back by each request's batch size.
/// </summary>
internal sealed class SplitInstance(string model, PrefixSplit split, OnnxModelInstance? suffix, ModelSignature signature, TimeProvider time) : IModelInstance
{
    public async ValueTask<BatchResult> ExecuteAsync(IReadOnlyList<InferenceRequest> batch, CancellationToken cancellationToken)
    {
        var start = time.GetTimestamp();
        var values = new Dictionary<string, InferenceTensor>(StringComparer.Ordinal);
        var prefixInputs = split.Inputs.Select(name => Joined(batch, name, values)).ToArray();
        var rows = batch.Select(r => r.Inputs[0].Shape[0]).ToArray();
        var inferStart = time.GetTimestamp();
        var outcome = await split.Step.RunAsync(prefixInputs).ConfigureAwait(false);
        if (outcome.Outputs is not { } prefixOutputs)
        {
            return BatchResult.Failure(InferenceError.Invalid($"model '{model}': the shared prefix could not run on this input: {outcome.Problem}"));
        }

        for (var o = 0; o < prefixOutputs.Count; o++)
        {
            values[split.Outputs[o]] = prefixOutputs[o].WithName(split.Outputs[o]);
        }

        if (suffix is not null && Suffix(batch, values, cancellationToken) is { } error)
        {
            return BatchResult.Failure(error);
        }

        var outputStart = time.GetTimestamp();
        if (TensorRows.SplitPerRequest(signature.Outputs.Select(o => values[o.Name]).ToArray(), rows, out var problem) is not { } results)
        {
            return BatchResult.Failure(new InferenceError(ErrorCode.Internal, $"model '{model}': {problem}"));
        }

        var end = time.GetTimestamp();
        return BatchResult.Success(results, new BatchTimings(time.GetElapsedTime(start, inferStart), time.GetElapsedTime(inferStart, outputStart), time.GetElapsedTime(outputStart, end)));
    }

    private InferenceError? Suffix(IReadOnlyList<InferenceRequest> batch, Dictionary<string, InferenceTensor> values, CancellationToken cancellationToken)
    {
        var inputs = suffix!.Signature.Inputs.Select(i => values.TryGetValue(i.Name, out var value) ? value : Joined(batch, i.Name, values)).ToArray();
        var result = suffix.Execute([new InferenceRequest(model, inputs)], cancellationToken);
        if (result.Error is { } error)
        {
            return error;
        }

        var outputs = result.Outputs![0];
        for (var o = 0; o < outputs.Count; o++)
        {
            values[suffix.Signature.Outputs[o].Name] = outputs[o];
        }

        return null;
    }

    private static InferenceTensor Joined(IReadOnlyList<InferenceRequest> batch, string name, Dictionary<string, InferenceTensor> values)
    {
        if (!values.TryGetValue(name, out var joined))
        {
            joined = TensorRows.Concat(batch.Select(r => r.FindInput(name)!).ToArray(), name).WithName(name);
            values[name] = joined;
        }

        return joined;
    }

    public ValueTask DisposeAsync() => suffix?.DisposeAsync() ?? ValueTask.CompletedTask;
}
