using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Augur.Server.Tests.Lifecycle;

/// <summary>HTTPS with a configured certificate (PFX, or PEM certificate and key), generated here and self-signed.</summary>
public sealed class HttpsTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("augur-tls-");
    private readonly X509Certificate2 _certificate;

    public HttpsTests()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllBytes(Path.Combine(_folder.FullName, "server.pfx"), _certificate.Export(X509ContentType.Pkcs12, "secret"));
        File.WriteAllText(Path.Combine(_folder.FullName, "server.crt"), _certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_folder.FullName, "server.key"), key.ExportPkcs8PrivateKeyPem());
    }

    public void Dispose()
    {
        _certificate.Dispose();
        _folder.Delete(recursive: true);
    }

    [Theory]
    [InlineData("pfx")]
    [InlineData("pem")]
    public async Task The_server_speaks_https_with_the_configured_certificate(string format)
    {
        X509Certificate? presented = null;
        using var handler = new HttpClientHandler
        {
            // Trust exactly this self-signed certificate, and remember what the server presented.
            ServerCertificateCustomValidationCallback = (_, certificate, _, errors) =>
            {
                presented = certificate is null ? null : new X509Certificate2(certificate);
                return certificate is not null && certificate.GetCertHashString() == _certificate.GetCertHashString()
                    && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None;
            },
        };
        await using var server = await LifecycleServer.StartAsync(
            s => s.AddEcho("m"),
            configure: o =>
            {
                if (format == "pfx")
                {
                    o.Security.CertificatePath = Path.Combine(_folder.FullName, "server.pfx");
                    o.Security.CertificatePassword = "secret";
                }
                else
                {
                    o.Security.CertificatePath = Path.Combine(_folder.FullName, "server.crt");
                    o.Security.CertificateKeyPath = Path.Combine(_folder.FullName, "server.key");
                }
            },
            handler: handler);

        Assert.Equal("https", server.Address.Scheme);
        var reply = await server.SendAsync(HttpMethod.Post, "/v2/models/m/infer");
        Assert.Equal(200, reply.Status);
        Assert.Equal(_certificate.Thumbprint, Assert.IsType<X509Certificate2>(presented).Thumbprint);
    }

    [Fact]
    public void A_certificate_without_its_key_is_refused_naming_the_setting()
    {
        var options = new Security.AugurSecurityOptions { CertificatePath = Path.Combine(_folder.FullName, "server.crt") };

        var error = Assert.Throws<ArgumentException>(() => Security.ServerCertificate.Load(options));

        Assert.Equal("CertificatePath", error.ParamName);
    }

    [Fact]
    public void A_missing_certificate_file_is_refused_naming_the_setting()
    {
        var options = new Security.AugurSecurityOptions { CertificatePath = Path.Combine(_folder.FullName, "absent.pfx") };

        var error = Assert.Throws<ArgumentException>(() => Security.ServerCertificate.Load(options));

        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }
}
