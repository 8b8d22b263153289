using Augur.Errors;
using Augur.Tensors;

namespace Augur.Fuzz.Targets;

/// <summary>The checks every decoder's result must pass, whatever the input.</summary>
internal static class DecodeOutcome
{
    /// <summary>A decoder says yes with a request and no error, or no with an invalid-argument error that explains itself.</summary>
    public static void Check(string decoder, bool ok, object? decoded, InferenceError? error)
    {
        if (ok)
        {
            if (decoded is null || error is not null)
            {
                throw new PropertyViolation($"{decoder} succeeded but returned request {decoded?.ToString() ?? "null"} and error {error?.ToString() ?? "null"}");
            }

            return;
        }

        if (error is null || error.Code != ErrorCode.InvalidArgument || string.IsNullOrWhiteSpace(error.Message))
        {
            throw new PropertyViolation($"{decoder} failed with {error?.ToString() ?? "no error"}; a bad request must be an InvalidArgument error with a message");
        }
    }

    /// <summary>Two decodings of the same data must give the same tensors, byte for byte.</summary>
    public static void CheckSame(string what, InferenceTensor expected, InferenceTensor actual, bool compareShapes = true)
    {
        if (expected.Name != actual.Name
            || expected.DataType != actual.DataType
            || (compareShapes && !expected.Shape.SequenceEqual(actual.Shape))
            || !expected.Data.Span.SequenceEqual(actual.Data.Span))
        {
            throw new PropertyViolation(
                $"{what}: input '{expected.Name}' decoded as {expected} ({expected.Data.Length} bytes) and as {actual} ({actual.Data.Length} bytes), with different data");
        }
    }
}
