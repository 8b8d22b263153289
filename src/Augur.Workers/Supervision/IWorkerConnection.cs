using Augur.Backends;
using Augur.Inference;
using Augur.Models;

namespace Augur.Workers.Supervision;

/// <summary>The calls the server makes to one worker. A call on a worker that is gone throws (or fails the batch); it never hangs past its token.</summary>
internal interface IWorkerConnection : IAsyncDisposable
{
    /// <summary>The signature of the model the worker loaded.</summary>
    Task<ModelSignature> DescribeAsync(CancellationToken cancellationToken);

    /// <summary>Runs one whole batch on the worker.</summary>
    ValueTask<BatchResult> ExecuteAsync(IReadOnlyList<InferenceRequest> batch, CancellationToken cancellationToken);

    /// <summary>Completes when the worker answers; throws when it does not.</summary>
    Task PingAsync(CancellationToken cancellationToken);
}
