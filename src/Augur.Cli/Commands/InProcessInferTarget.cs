using System.Buffers;
using System.Text;
using Augur.Errors;
using Augur.Models;
using Augur.Protocol.Json;

namespace Augur.Cli.Commands;

/// <summary>Runs the request on an engine in this process, through the same codec the server uses.</summary>
internal sealed class InProcessInferTarget(InferenceEngine engine) : IInferTarget
{
    public Task<(IReadOnlyList<TensorSpec>? Inputs, string? Error)> GetInputsAsync(string model, string? version, CancellationToken cancellationToken) =>
        Task.FromResult<(IReadOnlyList<TensorSpec>?, string?)>(engine.TryGetMetadata(model, version, out var metadata, out var error)
            ? (metadata.Signature.Inputs, null)
            : (null, $"{error!.Code.ToHttpStatus()}: {error.Message}"));

    public async Task<(int Status, string Body)> InferAsync(string model, string? version, byte[] body, CancellationToken cancellationToken)
    {
        if (!InferRequestReader.TryRead(body, null, model, version, new JsonCodecOptions(), out var decoded, out var error))
        {
            return Error(error!);
        }

        var result = await engine.TryInferAsync(decoded.Request, cancellationToken).ConfigureAwait(false);
        if (!result.IsSuccess)
        {
            return Error(result.Error);
        }

        var buffer = new ArrayBufferWriter<byte>();
        InferResponseWriter.WriteJson(buffer, result.Response, decoded);
        return (200, Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    private static (int, string) Error(InferenceError error)
    {
        var buffer = new ArrayBufferWriter<byte>();
        MetadataWriter.WriteError(buffer, error.Message);
        return (error.Code.ToHttpStatus(), Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    public ValueTask DisposeAsync() => engine.DisposeAsync();
}
