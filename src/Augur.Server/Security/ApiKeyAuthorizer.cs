using System.Security.Cryptography;
using System.Text;

namespace Augur.Server.Security;

/// <summary>
/// Decides whether a key may perform an operation; no HTTP types, so the REST middleware and a gRPC interceptor share it.
/// <list type="table">
/// <item><term>Health</term><description>always allowed.</description></item>
/// <item><term>Inference</term><description>open when no inference key is configured; otherwise an inference or admin key, else 401.</description></item>
/// <item><term>Statistics</term><description>open when no admin key is configured; otherwise an admin key (401 for none or unknown, 403 for an inference key).</description></item>
/// <item><term>Administration</term><description>an admin key (401 for none or unknown, 403 for an inference key); with no admin key configured, 403 unless <see cref="AugurSecurityOptions.AllowAdminWithoutKey"/>.</description></item>
/// </list>
/// Keys are kept as SHA-256 digests and compared with <see cref="CryptographicOperations.FixedTimeEquals"/>, every key
/// every time, so neither the content nor the length of a key leaks through timing.
/// </summary>
public sealed class ApiKeyAuthorizer
{
    private readonly byte[][] _inference;
    private readonly byte[][] _admin;
    private readonly bool _adminWithoutKey;

    /// <summary>Creates the authorizer for validated <paramref name="options"/>.</summary>
    public ApiKeyAuthorizer(AugurSecurityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _inference = options.InferenceApiKeys.Select(Digest).ToArray();
        _admin = options.AdminApiKeys.Select(Digest).ToArray();
        _adminWithoutKey = options.AllowAdminWithoutKey;
    }

    /// <summary>True when any key is configured (clients must then send keys for some operations).</summary>
    public bool UsesKeys => _inference.Length > 0 || _admin.Length > 0;

    /// <summary>Decides whether <paramref name="key"/> (null when the client sent none) may perform <paramref name="operation"/>.</summary>
    public AccessDecision Authorize(AccessOperation operation, string? key)
    {
        switch (operation)
        {
            case AccessOperation.Health:
                return AccessDecision.Allow;
            case AccessOperation.Inference when _inference.Length == 0:
            case AccessOperation.Statistics when _admin.Length == 0:
                return AccessDecision.Allow;
            case AccessOperation.Administration when _admin.Length == 0:
                return _adminWithoutKey
                    ? AccessDecision.Allow
                    : new AccessDecision(AccessStatus.Forbidden, "model control is disabled: the server has no admin API key configured");
        }

        if (string.IsNullOrEmpty(key))
        {
            return new AccessDecision(AccessStatus.Unauthenticated, "an API key is required (Authorization: Bearer <key> or X-Api-Key: <key>)");
        }

        // Long keys are refused outright rather than hashed from the heap: no configured key is that long.
        if (key.Length > MaxPresentedKeyLength)
        {
            return new AccessDecision(AccessStatus.Unauthenticated, "the API key is not valid");
        }

        Span<byte> utf8 = stackalloc byte[MaxPresentedKeyLength * 3];
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..Encoding.UTF8.GetBytes(key, utf8)], digest);
        var isAdmin = Matches(_admin, digest);
        var isInference = Matches(_inference, digest);
        if (isAdmin || (operation == AccessOperation.Inference && isInference))
        {
            return AccessDecision.Allow;
        }

        return isInference
            ? new AccessDecision(AccessStatus.Forbidden, "this API key may call inference endpoints only; administration needs an admin key")
            : new AccessDecision(AccessStatus.Unauthenticated, "the API key is not valid");
    }

    /// <summary>
    /// The key a client presented: <c>Authorization: Bearer &lt;key&gt;</c> first, else <c>X-Api-Key</c>. Null when
    /// neither is present or the Authorization header uses another scheme.
    /// </summary>
    public static string? ReadKey(string? authorization, string? apiKeyHeader)
    {
        const string Bearer = "Bearer ";
        if (!string.IsNullOrEmpty(authorization) && authorization.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase))
        {
            return authorization[Bearer.Length..].Trim();
        }

        return string.IsNullOrEmpty(apiKeyHeader) ? null : apiKeyHeader.Trim();
    }

    private const int MaxPresentedKeyLength = 512;

    private static bool Matches(byte[][] keys, ReadOnlySpan<byte> digest)
    {
        var found = false;
        foreach (var key in keys)
        {
            // No early exit: the time taken does not say which key (or whether any) matched.
            found |= CryptographicOperations.FixedTimeEquals(key, digest);
        }

        return found;
    }

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
