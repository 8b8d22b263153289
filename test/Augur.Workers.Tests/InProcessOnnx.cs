using Augur.Backends;
using Augur.Inference;
using Augur.Models;
using Augur.OnnxRuntime.Backend;
using Microsoft.Extensions.Logging.Abstractions;

namespace Augur.Workers.Tests;

/// <summary>The same model folder loaded with the ONNX Runtime backend in this process: what the worker must agree with.</summary>
internal sealed class InProcessOnnx : IAsyncDisposable
{
    private readonly IModel _model;
    private readonly IModelInstance _instance;

    private InProcessOnnx(IModel model, IModelInstance instance)
    {
        _model = model;
        _instance = instance;
    }

    public ModelSignature Signature => _model.Signature;

    public static async Task<InProcessOnnx> LoadAsync(string versionDirectory, string name)
    {
        var context = new ModelLoadContext(name, 1, versionDirectory, ModelConfig.Empty, NullLoggerFactory.Instance, TimeProvider.System)
        {
            Backend = OnnxRuntimeBackend.BackendName,
        };
        var model = await new OnnxRuntimeBackend(new OnnxRuntimeOptions()).LoadAsync(context, CancellationToken.None);
        return new InProcessOnnx(model, await model.CreateInstanceAsync(0, CancellationToken.None));
    }

    public ValueTask<BatchResult> ExecuteAsync(IReadOnlyList<InferenceRequest> batch) => _instance.ExecuteAsync(batch, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await _instance.DisposeAsync();
        await _model.DisposeAsync();
    }
}
