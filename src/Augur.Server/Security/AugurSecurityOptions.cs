namespace Augur.Server.Security;

/// <summary>
/// API keys and HTTPS. Clients send a key as <c>Authorization: Bearer &lt;key&gt;</c> or <c>X-Api-Key: &lt;key&gt;</c>.
/// Keys are compared in constant time and never logged or echoed.
/// </summary>
public sealed class AugurSecurityOptions
{
    /// <summary>The shortest key accepted, so a key cannot be guessed.</summary>
    public const int MinKeyLength = 16;

    /// <summary>The longest key accepted.</summary>
    public const int MaxKeyLength = 512;

    /// <summary>Keys that may call inference and metadata endpoints. Empty (the default): those endpoints are open.</summary>
    public IList<string> InferenceApiKeys { get; set; } = [];

    /// <summary>
    /// Keys that may call administration endpoints (model control; the metrics endpoint once any admin key is set).
    /// An admin key is also accepted on inference endpoints. Empty (the default): model control is refused (403)
    /// unless <see cref="AllowAdminWithoutKey"/> is set.
    /// </summary>
    public IList<string> AdminApiKeys { get; set; } = [];

    /// <summary>Serves model control with no key (for a trusted network only). Default false. Ignored when admin keys are set.</summary>
    public bool AllowAdminWithoutKey { get; set; }

    /// <summary>
    /// The server certificate for HTTPS: a PFX/PKCS#12 file (<c>.pfx</c>, <c>.p12</c>) or a PEM certificate. Null (the
    /// default) serves plain HTTP.
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key file when <see cref="CertificatePath"/> is a PEM certificate; null when the key is in the same file.</summary>
    public string? CertificateKeyPath { get; set; }

    /// <summary>The password of the PFX file or of an encrypted PEM key; null when there is none.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>Validates the settings, naming the first bad one (and never printing a key).</summary>
    public void Validate()
    {
        CheckKeys(InferenceApiKeys, nameof(InferenceApiKeys));
        CheckKeys(AdminApiKeys, nameof(AdminApiKeys));
        if (InferenceApiKeys.Intersect(AdminApiKeys, StringComparer.Ordinal).Any())
        {
            throw new ArgumentException("the same key is both an inference and an admin key; use different keys", nameof(AdminApiKeys));
        }

        if (CertificatePath is null && (CertificateKeyPath is not null || CertificatePassword is not null))
        {
            throw new ArgumentException("CertificateKeyPath and CertificatePassword need CertificatePath", nameof(CertificatePath));
        }
    }

    private static void CheckKeys(IList<string> keys, string name)
    {
        for (var i = 0; i < keys.Count; i++)
        {
            var key = keys[i];
            if (string.IsNullOrEmpty(key) || key.Length < MinKeyLength || key.Length > MaxKeyLength || key.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
            {
                // The key itself is not printed: startup errors end up in logs.
                throw new ArgumentException($"key {i + 1} of {name} must have {MinKeyLength} to {MaxKeyLength} characters and no spaces or control characters", name);
            }
        }
    }
}
