using Augur.Errors;
using Augur.Inference;
using Augur.Models;
using Augur.Protocol.Json;
using Augur.Tensors;

namespace Augur.Bench.Targets;

/// <summary>The engine in this process, called through <see cref="InferenceEngine.TryInferAsync"/>: no HTTP, no JSON.</summary>
public sealed class InProcessTarget(InferenceEngine engine, string model, string? version, bool ownsEngine) : IBenchTarget, IPredictionKeyQueries, IMultiModelTarget
{
    /// <inheritdoc />
    public string Name => "in-process";

    /// <inheritdoc />
    public Task<(IReadOnlyList<TensorSpec>? Inputs, string? Error)> GetInputsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<(IReadOnlyList<TensorSpec>?, string?)>(engine.TryGetMetadata(model, version, out var metadata, out var error)
            ? (metadata.Signature.Inputs, null)
            : (null, $"{error!.Code.ToHttpStatus()}: {error.Message}"));

    /// <inheritdoc />
    public object Prepare(IReadOnlyList<InferenceTensor> inputs) => new InferenceRequest(model, inputs) { ModelVersion = version };

    /// <inheritdoc />
    public object PrepareRequestBody(byte[] body) =>
        InferRequestReader.TryRead(body, null, model, version, new JsonCodecOptions(), out var decoded, out var error)
            ? decoded.Request
            : throw new InvalidDataException($"the request file is not a valid request for '{model}': {error!.Message}");

    /// <inheritdoc />
    public async ValueTask<QueryOutcome> SendAsync(object query, CancellationToken cancellationToken)
    {
        var result = await engine.TryInferAsync((InferenceRequest)query, cancellationToken).ConfigureAwait(false);
        return result.IsSuccess
            ? QueryOutcome.Answered(StatusClasses.InProcessOk, result.Response.PredictionSource)
            : QueryOutcome.Failed(StatusClasses.InProcess(result.Error.Code), $"{result.Error.Code.ToHttpStatus()}: {result.Error.Message}");
    }

    /// <inheritdoc />
    public object WithPredictionKey(object query, string key)
    {
        var request = (InferenceRequest)query;
        return new InferenceRequest(request.ModelName, request.Inputs)
        {
            ModelVersion = request.ModelVersion,
            Id = request.Id,
            Priority = request.Priority,
            Timeout = request.Timeout,
            Sequence = request.Sequence,
            PredictionKey = key,
            RequestedOutputs = request.RequestedOutputs,
        };
    }

    /// <inheritdoc />
    public IBenchTarget ForModel(string model) => new InProcessTarget(engine, model, null, ownsEngine: false);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ownsEngine ? engine.DisposeAsync() : ValueTask.CompletedTask;
}
