using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Augur.Server.Security;

/// <summary>Loads the HTTPS certificate named by <see cref="AugurSecurityOptions"/>, with errors that name the setting.</summary>
public static class ServerCertificate
{
    /// <summary>The certificate with its private key, or null when HTTPS is not configured.</summary>
    public static X509Certificate2? Load(AugurSecurityOptions options)
    {
        if (options.CertificatePath is not { } path)
        {
            return null;
        }

        if (!File.Exists(path))
        {
            throw new ArgumentException($"the certificate file '{path}' does not exist", nameof(AugurSecurityOptions.CertificatePath));
        }

        if (options.CertificateKeyPath is { } keyPath && !File.Exists(keyPath))
        {
            throw new ArgumentException($"the key file '{keyPath}' does not exist", nameof(AugurSecurityOptions.CertificateKeyPath));
        }

        X509Certificate2 certificate;
        try
        {
            var extension = Path.GetExtension(path).ToLowerInvariant();
            certificate = extension is ".pfx" or ".p12"
                ? X509CertificateLoader.LoadPkcs12FromFile(path, options.CertificatePassword)
                : options.CertificatePassword is { } password
                    ? X509Certificate2.CreateFromEncryptedPemFile(path, password, options.CertificateKeyPath)
                    : X509Certificate2.CreateFromPemFile(path, options.CertificateKeyPath);
        }
        catch (CryptographicException ex)
        {
            throw new ArgumentException($"the certificate '{path}' cannot be loaded: {ex.Message}", nameof(AugurSecurityOptions.CertificatePath), ex);
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new ArgumentException($"the certificate '{path}' has no private key (give CertificateKeyPath, or a PFX with its key)", nameof(AugurSecurityOptions.CertificatePath));
        }

        return certificate;
    }
}
