using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Augur.Server.Security;

/// <summary>Turns a Kestrel endpoint into HTTPS when <see cref="AugurSecurityOptions.CertificatePath"/> is set.</summary>
internal static class HttpsSetup
{
    /// <summary>Applies the certificate of the options <paramref name="configure"/> produces, if any.</summary>
    public static void Apply(ListenOptions listen, Action<AugurServerOptions>? configure)
    {
        var options = new AugurServerOptions();
        configure?.Invoke(options);
        if (ServerCertificate.Load(options.Security) is { } certificate)
        {
            listen.UseHttps(certificate);
        }
    }
}
