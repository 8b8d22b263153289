namespace Augur.Server.Security;

/// <summary>The outcome of an access check: allowed, or refused with the status to answer (HTTP 401/403, gRPC 16/7).</summary>
/// <param name="Status">Allowed, or why not.</param>
/// <param name="Message">For a refusal, what to tell the client (never includes the key presented).</param>
public readonly record struct AccessDecision(AccessStatus Status, string? Message)
{
    /// <summary>The request may proceed.</summary>
    public static AccessDecision Allow { get; } = new(AccessStatus.Allowed, null);

    /// <summary>True when the request may proceed.</summary>
    public bool IsAllowed => Status == AccessStatus.Allowed;

    /// <summary>The HTTP status of a refusal: 401 or 403 (200 when allowed).</summary>
    public int HttpStatus => Status switch
    {
        AccessStatus.Unauthenticated => 401,
        AccessStatus.Forbidden => 403,
        _ => 200,
    };

    /// <summary>The gRPC status code of a refusal: UNAUTHENTICATED (16) or PERMISSION_DENIED (7); 0 when allowed.</summary>
    public int GrpcStatus => Status switch
    {
        AccessStatus.Unauthenticated => 16,
        AccessStatus.Forbidden => 7,
        _ => 0,
    };
}

/// <summary>Allowed, or the kind of refusal.</summary>
public enum AccessStatus
{
    /// <summary>The request may proceed.</summary>
    Allowed,

    /// <summary>No key, or a key that matches nothing (HTTP 401, gRPC UNAUTHENTICATED).</summary>
    Unauthenticated,

    /// <summary>A valid key without the right (an inference key on an admin operation), or administration disabled (HTTP 403, gRPC PERMISSION_DENIED).</summary>
    Forbidden,
}
