using System.Net;
using Augur.Server.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Augur.Server.Security;

/// <summary>
/// Rejects (400) request targets whose path, decoded up to three times, holds a traversal: a <c>..</c> segment, a
/// backslash, a NUL or other control character, or an encoded slash. Kestrel would otherwise remove dot segments
/// before routing and send such a request to another route; here it never reaches one.
/// </summary>
internal sealed class RequestPathGuard(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? string.Empty;
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        var path = query >= 0 ? raw[..query] : raw;
        return FindProblem(path) is { } problem
            ? HttpResponses.WriteErrorAsync(context, StatusCodes.Status400BadRequest, $"the request path is not allowed: {problem}")
            : next(context);
    }

    /// <summary>Null for a safe path; otherwise what is wrong with it.</summary>
    internal static string? FindProblem(string path)
    {
        // The common case, a plain path, costs one scan and no allocation: nothing is encoded and no segment starts with '.'.
        if (path.AsSpan().IndexOfAny('%', '\\') < 0 && !path.Contains("/.", StringComparison.Ordinal) && !path.AsSpan().ContainsAnyInRange('\0', '\x1f'))
        {
            return null;
        }

        var text = path;
        for (var round = 0; round < 4; round++)
        {
            if (text.Contains("%2f", StringComparison.OrdinalIgnoreCase))
            {
                return "it contains an encoded '/'";
            }

            if (text.Contains('\\', StringComparison.Ordinal))
            {
                return "it contains '\\'";
            }

            if (text.Any(char.IsControl))
            {
                return "it contains a control character";
            }

            if (text.Split('/').Any(segment => segment is ".." or "."))
            {
                return "it contains a '..' or '.' segment";
            }

            var decoded = WebUtility.UrlDecode(text.Replace("+", "%2B", StringComparison.Ordinal));
            if (decoded == text)
            {
                return null;
            }

            text = decoded;
        }

        return "it is encoded more than three times";
    }
}
