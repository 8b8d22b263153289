using System.Diagnostics.Metrics;
using Augur.Backends;
using Augur.Diagnostics;
using Augur.Engine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Augur;

/// <summary>
/// Configures and builds an <see cref="InferenceEngine"/>. Register at least one backend
/// (<c>UseOnnxRuntime()</c> from Augur.OnnxRuntime) and a model repository.
/// </summary>
public sealed class InferenceEngineBuilder
{
    private readonly List<IModelBackend> _backends = [];
    private string? _repository;
    private TimeProvider _time = TimeProvider.System;
    private ILoggerFactory _loggerFactory = NullLoggerFactory.Instance;
    private IMeterFactory? _meterFactory;

    /// <summary>The folder holding <c>&lt;model&gt;/&lt;version&gt;/model.onnx</c> trees.</summary>
    public InferenceEngineBuilder UseModelRepository(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _repository = Path.GetFullPath(path);
        return this;
    }

    /// <summary>Adds a backend; for each version folder the first backend that can load it is used.</summary>
    public InferenceEngineBuilder AddBackend(IModelBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        _backends.Add(backend);
        return this;
    }

    /// <summary>The clock for queue and compute timings. Default <see cref="TimeProvider.System"/>.</summary>
    public InferenceEngineBuilder UseTimeProvider(TimeProvider time)
    {
        _time = time ?? throw new ArgumentNullException(nameof(time));
        return this;
    }

    /// <summary>Where the engine logs model loading and failures. Default: no logging.</summary>
    public InferenceEngineBuilder UseLoggerFactory(ILoggerFactory loggerFactory)
    {
        _loggerFactory = loggerFactory ?? throw new ArgumentNullException(nameof(loggerFactory));
        return this;
    }

    /// <summary>
    /// Where the engine's meter (named <c>Augur</c>) comes from, e.g. the host's <see cref="IMeterFactory"/>.
    /// Default: the engine creates its own meter and disposes it with itself; listeners still see it by name.
    /// </summary>
    public InferenceEngineBuilder UseMeterFactory(IMeterFactory meterFactory)
    {
        _meterFactory = meterFactory ?? throw new ArgumentNullException(nameof(meterFactory));
        return this;
    }

    /// <summary>
    /// Loads every model of the repository (loading, instance creation and warm-up) and returns the engine.
    /// Models that fail are reported through <see cref="InferenceEngine.Models"/>; they do not make this throw.
    /// Throws <see cref="DirectoryNotFoundException"/> when the repository folder does not exist.
    /// </summary>
    public async Task<InferenceEngine> BuildAsync(CancellationToken cancellationToken = default)
    {
        if (_repository is not null && _backends.Count == 0)
        {
            throw new InvalidOperationException("No backend is registered; call UseOnnxRuntime() (Augur.OnnxRuntime) or AddBackend().");
        }

        var metrics = new EngineMetrics(_meterFactory);
        try
        {
            var models = _repository is null
                ? []
                : await new RepositoryLoader(_backends.ToArray(), _time, _loggerFactory, metrics).LoadAsync(_repository, cancellationToken).ConfigureAwait(false);
            return new InferenceEngine(models, _repository, _time, metrics);
        }
        catch
        {
            metrics.Dispose();
            throw;
        }
    }
}
