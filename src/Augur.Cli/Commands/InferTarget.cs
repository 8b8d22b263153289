using Augur.Models;

namespace Augur.Cli.Commands;

/// <summary>Where <c>augur infer</c> sends its request: a server URL or an in-process engine. Both answer in protocol JSON.</summary>
internal interface IInferTarget : IAsyncDisposable
{
    /// <summary>The model's inputs, or an error message.</summary>
    Task<(IReadOnlyList<TensorSpec>? Inputs, string? Error)> GetInputsAsync(string model, string? version, CancellationToken cancellationToken);

    /// <summary>Sends a protocol JSON request body; returns the HTTP-equivalent status and the JSON body.</summary>
    Task<(int Status, string Body)> InferAsync(string model, string? version, byte[] body, CancellationToken cancellationToken);
}
