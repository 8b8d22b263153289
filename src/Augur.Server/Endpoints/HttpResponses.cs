using System.Buffers;
using Augur.Errors;
using Augur.Protocol.Json;
using Microsoft.AspNetCore.Http;

namespace Augur.Server.Endpoints;

/// <summary>Writes the bodies of /v2 responses: JSON documents and <c>{"error": "..."}</c> errors.</summary>
internal static class HttpResponses
{
    public const string Json = "application/json";

    public static Task WriteErrorAsync(HttpContext context, InferenceError error)
    {
        if (error.Code == ErrorCode.ResourceExhausted)
        {
            // Retry-After counts whole seconds: a queue drains within moments, so one second is the shortest it can say.
            var seconds = error.RetryAfter is { } wait ? Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds)) : 1;
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return WriteErrorAsync(context, error.Code.ToHttpStatus(), error.Message);
    }

    public static Task WriteErrorAsync(HttpContext context, int status, string message)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        MetadataWriter.WriteError(buffer, message);
        return WriteAsync(context, status, buffer.WrittenMemory);
    }

    public static Task WriteJsonAsync(HttpContext context, Action<IBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        write(buffer);
        return WriteAsync(context, StatusCodes.Status200OK, buffer.WrittenMemory);
    }

    public static async Task WriteAsync(HttpContext context, int status, ReadOnlyMemory<byte> body, string contentType = Json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }
}
