using Augur.Models;
using Augur.Tensors;

namespace Augur.Bench.Targets;

/// <summary>
/// A system under test: Augur REST, any Open Inference Protocol server, or the in-process engine. Queries are
/// prepared once (encoding is not measured) and then sent many times.
/// </summary>
public interface IBenchTarget : IAsyncDisposable
{
    /// <summary>How the reports name the target, e.g. the URL or <c>in-process</c>.</summary>
    string Name { get; }

    /// <summary>The model's inputs (GET /v2/models/{m}, or the engine's metadata); null with the reason when the model is unknown.</summary>
    Task<(IReadOnlyList<TensorSpec>? Inputs, string? Error)> GetInputsAsync(CancellationToken cancellationToken);

    /// <summary>Prepares a query from tensors.</summary>
    object Prepare(IReadOnlyList<InferenceTensor> inputs);

    /// <summary>Prepares a query from an Open Inference Protocol JSON request body, sent as is.</summary>
    object PrepareRequestBody(byte[] body);

    /// <summary>Sends a prepared query and reads the whole answer, with its <c>prediction_source</c> if it says one.</summary>
    ValueTask<QueryOutcome> SendAsync(object query, CancellationToken cancellationToken);
}
