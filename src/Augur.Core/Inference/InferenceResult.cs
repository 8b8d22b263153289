using System.Diagnostics.CodeAnalysis;
using Augur.Errors;

namespace Augur.Inference;

/// <summary>Either a response or the error that prevented one; expected failures travel as values.</summary>
public readonly struct InferenceResult
{
    private InferenceResult(InferenceResponse? response, InferenceError? error)
    {
        Response = response;
        Error = error;
    }

    /// <summary>The response, when the inference succeeded.</summary>
    public InferenceResponse? Response { get; }

    /// <summary>The error, when it failed.</summary>
    public InferenceError? Error { get; }

    /// <summary>True when <see cref="Response"/> is set.</summary>
    [MemberNotNullWhen(true, nameof(Response))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Response is not null;

    /// <summary>A success.</summary>
    public static implicit operator InferenceResult(InferenceResponse response) => new(response, null);

    /// <summary>A failure.</summary>
    public static implicit operator InferenceResult(InferenceError error) => new(null, error);

    /// <summary>The response, or throws <see cref="InferenceException"/> with the error.</summary>
    public InferenceResponse GetResponseOrThrow() => IsSuccess
        ? Response
        : throw new InferenceException(Error ?? new InferenceError(ErrorCode.Internal, "the result holds neither a response nor an error (default value)"));
}
