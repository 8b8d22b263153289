using Augur.Server.Security;
using Microsoft.AspNetCore.Builder;

namespace Augur.Server;

/// <summary>Adds Augur's request guards to a pipeline built by hand (AugurHost adds them itself).</summary>
public static class AugurSecurityApplicationBuilderExtensions
{
    /// <summary>
    /// Rejects traversal in request paths (400) and applies the API key policy (401/403). Call after routing
    /// (<c>UseRouting()</c>, implicit in minimal hosting) and before the endpoints; needs <c>AddAugur</c>.
    /// </summary>
    public static IApplicationBuilder UseAugurSecurity(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<RequestPathGuard>();
        app.UseMiddleware<AccessControlMiddleware>();
        return app;
    }
}
