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
            throw new ArgumentException($"the certificate file '{path}' does not exist; give the path of a PFX file or of a PEM certificate", nameof(AugurSecurityOptions.CertificatePath));
        }

        if (options.CertificateKeyPath is { } keyPath && !File.Exists(keyPath))
        {
            throw new ArgumentException($"the key file '{keyPath}' does not exist; give the PEM private key of the certificate, or no key file when the key is in the certificate file", nameof(AugurSecurityOptions.CertificateKeyPath));
        }

        var pfx = Path.GetExtension(path).ToLowerInvariant() is ".pfx" or ".p12";
        X509Certificate2 certificate;
        try
        {
            certificate = pfx
                ? X509CertificateLoader.LoadPkcs12FromFile(path, options.CertificatePassword)
                : options.CertificatePassword is { } password
                    ? X509Certificate2.CreateFromEncryptedPemFile(path, password, options.CertificateKeyPath)
                    : X509Certificate2.CreateFromPemFile(path, options.CertificateKeyPath);
        }
        catch (CryptographicException ex)
        {
            var fix = pfx
                ? "give a PFX (PKCS#12) file and its password (CertificatePassword)"
                : "give a PEM certificate, with its private key in the same file or in CertificateKeyPath (and CertificatePassword if the key is encrypted)";
            throw new ArgumentException($"the certificate '{path}' cannot be loaded: {ex.Message.TrimEnd('.')}; {fix}", nameof(AugurSecurityOptions.CertificatePath), ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"the certificate '{path}' cannot be read: {ex.Message.TrimEnd('.')}; check that the server may read it and its key", nameof(AugurSecurityOptions.CertificatePath), ex);
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new ArgumentException($"the certificate '{path}' has no private key (give CertificateKeyPath, or a PFX with its key)", nameof(AugurSecurityOptions.CertificatePath));
        }

        return certificate;
    }
}
