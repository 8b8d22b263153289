using Augur.Errors;

namespace Augur.Caching;

/// <summary>The errors the response cache gives requests, worded in one place.</summary>
internal static class CacheErrors
{
    public static InferenceError CancelledWhileWaiting(string model) =>
        new(ErrorCode.Cancelled, $"the request for model '{model}' was cancelled while it waited for an identical request's answer");
}
