using Augur.Backends;
using Augur.Inference;
using Augur.Models;
using Augur.Workers.Client;

namespace Augur.Workers.Supervision;

/// <summary>Opens gRPC connections (<see cref="WorkerClient"/>) to workers.</summary>
internal static class WorkerConnections
{
    public static IWorkerConnection Open(WorkerEndpoint endpoint) => new GrpcConnection(WorkerClient.Create(endpoint));

    private sealed class GrpcConnection(WorkerClient client) : IWorkerConnection
    {
        public async Task<ModelSignature> DescribeAsync(CancellationToken cancellationToken) =>
            (await client.DescribeAsync(cancellationToken).ConfigureAwait(false)).Signature;

        public ValueTask<BatchResult> ExecuteAsync(IReadOnlyList<InferenceRequest> batch, CancellationToken cancellationToken) =>
            client.ExecuteAsync(batch, cancellationToken);

        public async Task PingAsync(CancellationToken cancellationToken)
        {
            var health = await client.CheckHealthAsync(cancellationToken).ConfigureAwait(false);
            if (!health.IsReady)
            {
                throw new InvalidOperationException(health.Reason ?? $"{client.Name} is not ready");
            }
        }

        public ValueTask DisposeAsync()
        {
            client.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
