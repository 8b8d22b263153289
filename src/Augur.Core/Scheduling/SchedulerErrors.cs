using Augur.Errors;

namespace Augur.Scheduling;

/// <summary>The errors the scheduler gives requests, worded in one place.</summary>
internal static class SchedulerErrors
{
    public static InferenceError CancelledWhileQueued(string model) =>
        new(ErrorCode.Cancelled, $"the request for model '{model}' was cancelled while queued");

    public static InferenceError CancelledWhileRunning(string model) =>
        new(ErrorCode.Cancelled, $"the request for model '{model}' was cancelled while running");

    public static InferenceError Unloading(string model) => InferenceError.Unavailable($"model '{model}' is being unloaded");

    public static InferenceError QueueFull(string model, int limit) =>
        new(ErrorCode.ResourceExhausted, $"model '{model}' already has {limit} requests queued (its max_queue_size); retry later");

    public static InferenceError Overloaded(string model, TimeSpan predictedWait, TimeSpan timeout) =>
        new(ErrorCode.ResourceExhausted, $"model '{model}' is overloaded: the request would wait about {predictedWait.TotalMilliseconds:0.#} ms in the queue, past its timeout of {timeout.TotalMilliseconds:0.###} ms; it was not run, retry later")
        {
            RetryAfter = predictedWait,
        };

    public static InferenceError TimedOut(string model, TimeSpan waited) =>
        new(ErrorCode.DeadlineExceeded, $"the request for model '{model}' timed out after waiting {waited.TotalMilliseconds:0.###} ms in the queue; it was not run");
}
