using Augur.Errors;
using Augur.Inference;

namespace Augur.Benchmarks.Baseline;

/// <summary>
/// The request-level parameters the engine acts on, read by the same rules from REST JSON and gRPC:
/// Triton's <c>priority</c> (1 is served first; 0 takes the model's default), <c>timeout</c> (microseconds the request
/// may wait in the queue; 0 takes the model's default), and the sequence parameters <c>sequence_id</c> (an unsigned
/// integer or a string; 0 or "" means none), <c>sequence_start</c> and <c>sequence_end</c> (booleans), and Augur's
/// <c>prediction_key</c> (a string or an integer, the key of a precomputed prediction; "" means none). Other keys are
/// left alone: the protocol lets clients send parameters a server does not know.
/// </summary>
internal readonly record struct RequestParameters(int Priority, TimeSpan? Timeout, SequenceControl? Sequence, string? PredictionKey)
{
    // TimeSpan holds about 29,000 years of microseconds; anything larger is not a timeout anyone means.
    private static readonly Int128 MaxTimeoutMicroseconds = TimeSpan.MaxValue.Ticks / TimeSpan.TicksPerMicrosecond;

    public static bool TryRead<TSource>(TSource source, out RequestParameters parameters, out InferenceError? error)
        where TSource : IParameterSource
    {
        parameters = default;
        if (!TryGetSize(source, "priority", out var priority, out error)
            || !TryGetSize(source, "timeout", out var timeout, out error)
            || !TryReadSequence(source, out var sequence, out error)
            || !TryReadPredictionKey(source, out var predictionKey, out error))
        {
            return false;
        }

        if (priority > int.MaxValue)
        {
            return Fail($"parameter 'priority' of the request is {priority}, beyond any model's priority levels", out error);
        }

        if (timeout > MaxTimeoutMicroseconds)
        {
            return Fail($"parameter 'timeout' of the request is {timeout} µs, too large to be a timeout", out error);
        }

        parameters = new RequestParameters(
            (int)(priority ?? 0),
            timeout is null || timeout == 0 ? null : TimeSpan.FromMicroseconds((long)timeout.Value),
            sequence,
            predictionKey);
        return true;
    }

    private static bool TryReadPredictionKey<TSource>(TSource source, out string? key, out InferenceError? error)
        where TSource : IParameterSource
    {
        key = null;
        error = null;
        if (!source.TryGet("prediction_key", out var value))
        {
            return true;
        }

        switch (value.Kind)
        {
            case ParameterKind.String:
                key = value.String!.Length == 0 ? null : value.String;
                return true;
            case ParameterKind.Integer:
                // Batch jobs key rows by text: an integer key is its decimal digits, as a key column's value would be.
                key = value.Integer.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return true;
            default:
                return Fail($"parameter 'prediction_key' of the request must be a string or an integer, not {value.Description}", out error);
        }
    }

    private static bool TryReadSequence<TSource>(TSource source, out SequenceControl? sequence, out InferenceError? error)
        where TSource : IParameterSource
    {
        sequence = null;
        var start = false;
        var end = false;
        if (!TryGetBool(source, "sequence_start", ref start, out error) || !TryGetBool(source, "sequence_end", ref end, out error))
        {
            return false;
        }

        string? id = null;
        if (source.TryGet("sequence_id", out var value))
        {
            switch (value.Kind)
            {
                case ParameterKind.Integer when value.Integer >= 0 && value.Integer <= ulong.MaxValue:
                    id = value.Integer == 0 ? null : value.Integer.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case ParameterKind.String:
                    id = value.String!.Length == 0 ? null : value.String;
                    break;
                default:
                    return Fail($"parameter 'sequence_id' of the request must be an unsigned 64-bit integer or a string, not {value.Description}", out error);
            }
        }

        if (id is null && (start || end))
        {
            return Fail($"parameter '{(start ? "sequence_start" : "sequence_end")}' of the request needs a non-zero 'sequence_id'", out error);
        }

        sequence = id is null ? null : new SequenceControl(id, start, end);
        return true;
    }

    private static bool TryGetBool<TSource>(TSource source, string name, ref bool result, out InferenceError? error)
        where TSource : IParameterSource
    {
        error = null;
        if (!source.TryGet(name, out var value))
        {
            return true;
        }

        if (value.Kind != ParameterKind.Bool)
        {
            return Fail($"parameter '{name}' of the request must be a boolean, not {value.Description}", out error);
        }

        result = value.Bool;
        return true;
    }

    private static bool TryGetSize<TSource>(TSource source, string name, out Int128? result, out InferenceError? error)
        where TSource : IParameterSource
    {
        result = null;
        error = null;
        if (!source.TryGet(name, out var value))
        {
            return true;
        }

        if (value.Kind != ParameterKind.Integer || value.Integer < 0)
        {
            return Fail($"parameter '{name}' of the request must be a non-negative integer, not {value.Description}", out error);
        }

        result = value.Integer;
        return true;
    }

    private static bool Fail(string message, out InferenceError? error)
    {
        error = InferenceError.Invalid(message);
        return false;
    }
}
