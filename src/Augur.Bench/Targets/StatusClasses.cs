using System.Globalization;
using Augur.Errors;
using Grpc.Core;

namespace Augur.Bench.Targets;

/// <summary>
/// The status class of a query's outcome, as the reports count it: an HTTP answer's status code (<c>200</c>,
/// <c>429</c>, <c>503</c>, ...); a gRPC answer's status code name (<c>grpc:OK</c>, <c>grpc:UNAVAILABLE</c>, ...);
/// <c>inprocess:</c> and the <see cref="ErrorCode"/> (or <c>OK</c>) for the engine in this process;
/// <see cref="Transport"/> when no answer came (refused or reset connection, client timeout); and the classes of targets
/// that speak no protocol (<see cref="Ok"/>, <see cref="Failed"/>, <see cref="NotSent"/>).
/// </summary>
public static class StatusClasses
{
    /// <summary>A success of a target that speaks no protocol (the no-op target).</summary>
    public const string Ok = "ok";

    /// <summary>A failure with no protocol status: the target threw.</summary>
    public const string Failed = "failed";

    /// <summary>No answer: the connection was refused or reset, the stream broke, or the client's timeout passed.</summary>
    public const string Transport = "transport";

    /// <summary>Server and Streams: a query the generator did not send, because too many were outstanding.</summary>
    public const string NotSent = "not_sent";

    /// <summary>A <c>ModelStreamInfer</c> answer that carried an <c>error_message</c>, which names no status code.</summary>
    public const string StreamErrorMessage = "grpc-stream:error_message";

    private const string GrpcPrefix = "grpc:";
    private const string InProcessPrefix = "inprocess:";

    /// <summary>The in-process class of a success.</summary>
    public const string InProcessOk = InProcessPrefix + "OK";

    // One string per status, made once, so counting answers allocates nothing per query.
    private static readonly string[] HttpCodes = Enumerable.Range(0, 600).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray();
    private static readonly Dictionary<ErrorCode, string> InProcessCodes = Enum.GetValues<ErrorCode>().ToDictionary(c => c, c => InProcessPrefix + c);
    private static readonly Dictionary<StatusCode, string> GrpcCodes = Enum.GetValues<StatusCode>().ToDictionary(c => c, c => GrpcPrefix + GrpcName(c));

    /// <summary>The class of an HTTP answer: its status code, e.g. <c>503</c>.</summary>
    public static string Http(int statusCode) =>
        statusCode >= 0 && statusCode < HttpCodes.Length ? HttpCodes[statusCode] : statusCode.ToString(CultureInfo.InvariantCulture);

    /// <summary>The class of a gRPC answer: <c>grpc:</c> and the status code's name in the protocol, e.g. <c>grpc:RESOURCE_EXHAUSTED</c>.</summary>
    public static string Grpc(StatusCode statusCode) =>
        GrpcCodes.TryGetValue(statusCode, out var name) ? name : GrpcPrefix + ((int)statusCode).ToString(CultureInfo.InvariantCulture);

    /// <summary>The class of an in-process failure: <c>inprocess:</c> and the error code, e.g. <c>inprocess:ResourceExhausted</c>.</summary>
    public static string InProcess(ErrorCode code) =>
        InProcessCodes.TryGetValue(code, out var name) ? name : InProcessPrefix + code;

    /// <summary>
    /// True for a refusal: the server said it is overloaded or unavailable rather than failing the query. HTTP 429 and
    /// 503, gRPC <c>RESOURCE_EXHAUSTED</c> and <c>UNAVAILABLE</c>, and the in-process error codes that map to 429 or 503.
    /// </summary>
    public static bool IsRefusal(string status) => status switch
    {
        "429" or "503" => true,
        GrpcPrefix + "RESOURCE_EXHAUSTED" or GrpcPrefix + "UNAVAILABLE" => true,
        _ when status.StartsWith(InProcessPrefix, StringComparison.Ordinal) =>
            Enum.TryParse<ErrorCode>(status.AsSpan(InProcessPrefix.Length), out var code) && code.ToHttpStatus() is 429 or 503,
        _ => false,
    };

    /// <summary>The status code's name as the gRPC protocol spells it (<c>grpc/status.h</c>).</summary>
    private static string GrpcName(StatusCode code) => code switch
    {
        StatusCode.OK => "OK",
        StatusCode.Cancelled => "CANCELLED",
        StatusCode.Unknown => "UNKNOWN",
        StatusCode.InvalidArgument => "INVALID_ARGUMENT",
        StatusCode.DeadlineExceeded => "DEADLINE_EXCEEDED",
        StatusCode.NotFound => "NOT_FOUND",
        StatusCode.AlreadyExists => "ALREADY_EXISTS",
        StatusCode.PermissionDenied => "PERMISSION_DENIED",
        StatusCode.Unauthenticated => "UNAUTHENTICATED",
        StatusCode.ResourceExhausted => "RESOURCE_EXHAUSTED",
        StatusCode.FailedPrecondition => "FAILED_PRECONDITION",
        StatusCode.Aborted => "ABORTED",
        StatusCode.OutOfRange => "OUT_OF_RANGE",
        StatusCode.Unimplemented => "UNIMPLEMENTED",
        StatusCode.Internal => "INTERNAL",
        StatusCode.Unavailable => "UNAVAILABLE",
        StatusCode.DataLoss => "DATA_LOSS",
        _ => ((int)code).ToString(CultureInfo.InvariantCulture),
    };
}
