using Augur.Errors;
using WireErrorCode = Augur.Workers.Protocol.ErrorCode;

namespace Augur.Workers.Wire;

/// <summary>Error codes on the worker protocol: <see cref="ErrorCode"/> plus one, so the wire's 0 means "no code".</summary>
internal static class WireErrors
{
    public static Protocol.Error ToWire(InferenceError error) => new() { Code = (WireErrorCode)((int)error.Code + 1), Message = error.Message };

    /// <summary>The error a worker reported; a code this side does not know is <see cref="ErrorCode.Internal"/>.</summary>
    public static InferenceError FromWire(Protocol.Error error)
    {
        var code = (ErrorCode)((int)error.Code - 1);
        return new InferenceError(error.Code != WireErrorCode.Unspecified && Enum.IsDefined(code) ? code : ErrorCode.Internal, error.Message);
    }
}
