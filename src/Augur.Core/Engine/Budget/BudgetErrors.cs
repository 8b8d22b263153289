using Augur.Errors;

namespace Augur.Engine.Budget;

/// <summary>The errors the memory budget gives requests and loads, worded in one place.</summary>
internal static class BudgetErrors
{
    public static InferenceError LargerThanBudget(string model, long need, long budget) =>
        new(ErrorCode.ResourceExhausted, $"model '{model}' needs about {ByteSize.Format(need)}, more than the whole memory budget of {ByteSize.Format(budget)}; raise the memory budget to serve it");

    public static InferenceError Exceeded(string model, long need, long budget, long held, IEnumerable<string> inUse) =>
        new(ErrorCode.ResourceExhausted, $"memory budget of {ByteSize.Format(budget)} exceeded: model '{model}' needs about {ByteSize.Format(need)} and {ByteSize.Format(held)} are held by models that cannot be unloaded now; models in use: {string.Join(", ", inUse)}; retry when they are idle, or raise the memory budget");

    public static InferenceError TimedOut(string model, TimeSpan timeout) =>
        new(ErrorCode.DeadlineExceeded, $"model '{model}' did not finish loading within the request's timeout of {timeout.TotalMilliseconds:0.###} ms (it loads on its first request under the memory budget); the request was not run, retry it");

    public static InferenceError Cancelled(string model) =>
        new(ErrorCode.Cancelled, $"the request for model '{model}' was cancelled while it waited for the model to load");

    public static InferenceError UnloadedAgain(string model) =>
        new(ErrorCode.ResourceExhausted, $"model '{model}' was unloaded again, to make room for other models, before the request could run; the memory budget is too small for the models in use, retry later");

    public static InferenceError NoFolder(string model) =>
        InferenceError.Unavailable($"model '{model}' cannot be loaded: the model repository has no folder '{model}' any more");

    public static InferenceError ShuttingDown { get; } = InferenceError.Unavailable("the engine is shutting down");
}
