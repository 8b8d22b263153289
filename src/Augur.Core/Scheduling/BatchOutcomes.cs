using Augur.Backends;
using Augur.Diagnostics;
using Augur.Errors;
using Augur.Inference;
using Microsoft.Extensions.Logging;

namespace Augur.Scheduling;

/// <summary>
/// Turns what a backend did with a batch into one outcome per request. The backend must return one result per
/// request, each with every output; anything else fails the whole batch, and so does a failure of the batch:
/// every request gets the reason.
/// </summary>
internal sealed class BatchOutcomes(string model, int outputCount, ILogger logger)
{
    public ExecutionOutcome[] Create(IReadOnlyList<PendingRequest> requests, BatchResult? result, Exception? failure, bool cancelled, long start, Timestamps time)
    {
        var outcomes = new ExecutionOutcome[requests.Count];
        var error = ErrorOf(requests.Count, result, failure, cancelled);
        for (var i = 0; i < requests.Count; i++)
        {
            outcomes[i] = error is not null
                ? ExecutionOutcome.Failed(error)
                : new ExecutionOutcome(result!.Outputs![i], null, Timings(time.Between(requests[i].Arrival, start), result.Timings));
        }

        return outcomes;
    }

    private InferenceError? ErrorOf(int count, BatchResult? result, Exception? failure, bool cancelled)
    {
        if (cancelled)
        {
            return SchedulerErrors.CancelledWhileRunning(model);
        }

        if (failure is not null)
        {
            EngineLog.BackendFailed(logger, model, failure);
            return new InferenceError(ErrorCode.Internal, $"model '{model}' failed: {failure.Message}");
        }

        if (result!.Error is not null)
        {
            return result.Error;
        }

        var outputs = result.Outputs;
        if (outputs is null || outputs.Count != count)
        {
            return new InferenceError(ErrorCode.Internal, $"model '{model}' returned {outputs?.Count ?? 0} results for a batch of {count} requests");
        }

        for (var i = 0; i < outputs.Count; i++)
        {
            if (outputs[i] is null || outputs[i].Count != outputCount)
            {
                return new InferenceError(ErrorCode.Internal, $"model '{model}' returned {outputs[i]?.Count ?? 0} outputs for request {i + 1} of its batch; its signature has {outputCount}");
            }
        }

        return null;
    }

    private static InferenceTimings Timings(TimeSpan queue, BatchTimings compute) => new(queue, compute.Input, compute.Infer, compute.Output);
}
