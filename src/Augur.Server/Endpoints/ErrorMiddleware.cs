using Augur.Server.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Augur.Server.Endpoints;

/// <summary>
/// The last line of defence: an unexpected exception becomes a logged 500 with an <c>{"error": ...}</c> body, and
/// a request Kestrel rejects while the body is read (a malformed chunk, a client that stalls) gets Kestrel's 4xx
/// status in the same form.
/// </summary>
internal sealed class ErrorMiddleware(RequestDelegate next, ILogger<ErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            await HttpResponses.WriteErrorAsync(context, ex.StatusCode, $"bad request: {ex.Message}").ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is no one to answer.
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            ServerLog.UnhandledException(logger, context.Request.Path, ex);
            await HttpResponses.WriteErrorAsync(context, StatusCodes.Status500InternalServerError, "internal server error").ConfigureAwait(false);
        }
    }
}
