using Augur.Backends;
using Augur.Inference;
using Augur.Models;
using Augur.Workers.Client;

namespace Augur.Workers.Supervision;

/// <summary>Opens connections to workers: a <see cref="WorkerClient"/> (gRPC, and batches on the batch socket unless the settings turn it off).</summary>
internal static class WorkerConnections
{
    public static IWorkerConnection Open(WorkerEndpoint endpoint, WorkerSettings settings) =>
        new ClientConnection(WorkerClient.Create(endpoint, new WorkerClientOptions { UseBatchSocket = settings.BatchSocket }));

    private sealed class ClientConnection(WorkerClient client) : IWorkerConnection
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
