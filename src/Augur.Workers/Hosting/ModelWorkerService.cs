using Augur.Workers.Protocol;
using Grpc.Core;

namespace Augur.Workers.Hosting;

/// <summary>The <c>augur.worker.v1.ModelWorker</c> service over the worker's one model.</summary>
internal sealed class ModelWorkerService(WorkerModel model) : ModelWorker.ModelWorkerBase
{
    private static readonly HealthResponse Ready = new() { Ready = true };

    public override Task<DescribeResponse> Describe(DescribeRequest request, ServerCallContext context) => Task.FromResult(model.Description);

    public override Task<ExecuteResponse> Execute(ExecuteRequest request, ServerCallContext context) => model.ExecuteAsync(request, context.CancellationToken);

    public override Task<HealthResponse> Health(HealthRequest request, ServerCallContext context) => Task.FromResult(model.Health is { IsReady: false } down
        ? new HealthResponse { Ready = false, Reason = down.Reason ?? "not ready" }
        : Ready);
}
