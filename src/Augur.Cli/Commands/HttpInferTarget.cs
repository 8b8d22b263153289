using System.Net.Http.Headers;
using Augur.Models;
using Augur.Protocol.Json;

namespace Augur.Cli.Commands;

/// <summary>Talks to any Open Inference Protocol server over REST.</summary>
internal sealed class HttpInferTarget(Uri baseAddress) : IInferTarget
{
    private readonly HttpClient _client = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(100) };

    public async Task<(IReadOnlyList<TensorSpec>? Inputs, string? Error)> GetInputsAsync(string model, string? version, CancellationToken cancellationToken)
    {
        using var response = await _client.GetAsync(ModelPath(model, version), cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return (null, $"{(int)response.StatusCode}: {body}");
        }

        var inputs = MetadataReader.ReadInputs(body);
        return (inputs, null);
    }

    public async Task<(int Status, string Body)> InferAsync(string model, string? version, byte[] body, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _client.PostAsync(ModelPath(model, version) + "/infer", content, cancellationToken).ConfigureAwait(false);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
    }

    private static string ModelPath(string model, string? version) =>
        $"v2/models/{Uri.EscapeDataString(model)}" + (version is null ? string.Empty : $"/versions/{Uri.EscapeDataString(version)}");

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
