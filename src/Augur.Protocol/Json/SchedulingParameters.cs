using System.Text.Json;
using Augur.Errors;

namespace Augur.Protocol.Json;

/// <summary>
/// The request parameters Triton defines for scheduling: <c>priority</c> (1 is served first; 0 takes the model's
/// default) and <c>timeout</c> (microseconds the request may wait in the queue; 0 takes the model's default).
/// </summary>
internal readonly record struct SchedulingParameters(int Priority, TimeSpan? Timeout)
{
    public static bool TryRead(JsonElement parameters, out SchedulingParameters scheduling, out InferenceError? error)
    {
        scheduling = default;
        if (!ProtocolParameters.TryGetSize(parameters, "priority", "the request", out var priority, out error)
            || !ProtocolParameters.TryGetSize(parameters, "timeout", "the request", out var timeout, out error))
        {
            return false;
        }

        if (priority > int.MaxValue)
        {
            return InferRequestReader.Fail($"parameter 'priority' of the request is {priority}, beyond any model's priority levels", out error);
        }

        // TimeSpan holds about 29,000 years of microseconds; anything larger is not a timeout anyone means.
        if (timeout > TimeSpan.MaxValue.Ticks / TimeSpan.TicksPerMicrosecond)
        {
            return InferRequestReader.Fail($"parameter 'timeout' of the request is {timeout} µs, too large to be a timeout", out error);
        }

        scheduling = new SchedulingParameters((int)(priority ?? 0), timeout is null or 0 ? null : TimeSpan.FromMicroseconds(timeout.Value));
        return true;
    }
}
