using Augur.Backends;
using Augur.Inference;
using Augur.Models;
using Augur.OnnxRuntime.Backend;
using Microsoft.Extensions.Logging.Abstractions;

namespace Augur.WorkerTransport;

/// <summary>
/// A model version loaded with the ONNX Runtime backend in this process, one instance: the same work the worker does for
/// a batch, without the transport.
/// </summary>
internal sealed class LocalModel : IAsyncDisposable
{
    private readonly IModel _model;
    private readonly IModelInstance _instance;

    private LocalModel(IModel model, IModelInstance instance)
    {
        _model = model;
        _instance = instance;
    }

    public ModelSignature Signature => _model.Signature;

    /// <summary>Loads <paramref name="versionDirectory"/> as the worker does (the config's backend settings and parameters apply).</summary>
    public static async Task<LocalModel> LoadAsync(string versionDirectory, string name, ModelConfig config)
    {
        var context = new ModelLoadContext(name, 1, versionDirectory, config, NullLoggerFactory.Instance, TimeProvider.System)
        {
            Backend = OnnxRuntimeBackend.BackendName,
            Settings = config.BackendSettings.TryGetValue(OnnxRuntimeBackend.BackendName, out var section) ? section : default,
        };
        var model = await new OnnxRuntimeBackend(new OnnxRuntimeOptions()).LoadAsync(context, CancellationToken.None);
        return new LocalModel(model, await model.CreateInstanceAsync(0, CancellationToken.None));
    }

    public ValueTask<BatchResult> ExecuteAsync(IReadOnlyList<InferenceRequest> batch) => _instance.ExecuteAsync(batch, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await _instance.DisposeAsync();
        await _model.DisposeAsync();
    }
}
