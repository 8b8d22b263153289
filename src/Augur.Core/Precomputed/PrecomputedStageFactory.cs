using Augur.Diagnostics;
using Augur.Models;
using Augur.Stages;
using Augur.Tensors;
using Microsoft.Extensions.Logging;

namespace Augur.Precomputed;

/// <summary>
/// Makes the precomputed stage of every version whose config.json has <c>precomputed</c>. It opens each source once,
/// through the resolver given to <see cref="InferenceEngineBuilder.UsePrecomputedPredictions"/>, and shares it with every
/// later version (and model) that names it, so a reload or a new version does not reconnect; the engine disposes the
/// sources when it is disposed. Without a resolver, versions that declare a source run every request, with a warning.
/// </summary>
internal sealed class PrecomputedStageFactory(Func<string, IPrecomputedPredictions>? resolver, PrecomputedMetrics metrics, TimeProvider time, ILoggerFactory loggerFactory)
    : IRequestStageFactory, IAsyncDisposable
{
    private readonly Dictionary<string, PrecomputedSource> _sources = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggerFactory.CreateLogger("Augur.Precomputed");
    private bool _disposed;

    public int Order => StageOrder.Precomputed;

    public IRequestStage? Create(StageSite site)
    {
        if (site.Config.Precomputed is not { } config)
        {
            return null;
        }

        var source = Resolve(config.Source, site.ModelDirectory);
        if (resolver is null)
        {
            PrecomputedLog.NoResolver(_logger, site.Model, site.Version, SourceText.Redact(source));
            return null;
        }

        var keyInput = CheckKeyInput(config.KeyInput, site.Signature);
        return new PrecomputedStage(site, config, keyInput, Open(source), metrics.ForVersion(site.Model, site.VersionText), _logger);
    }

    /// <summary>
    /// A path is taken from the model's folder, where the config.json that names it is, so a model folder can carry
    /// its own predictions and be moved as a whole; a URI (anything with "://") is passed on as written.
    /// </summary>
    internal static string Resolve(string source, string? modelDirectory) =>
        source.Contains("://", StringComparison.Ordinal) ? source : Path.GetFullPath(Path.Combine(modelDirectory ?? Directory.GetCurrentDirectory(), source));

    private static TensorSpec? CheckKeyInput(string? name, ModelSignature signature)
    {
        if (name is null)
        {
            return null;
        }

        var input = signature.FindInput(name)
            ?? throw new InvalidOperationException($"precomputed.key_input '{name}' is not an input of the model; its inputs are: {string.Join(", ", signature.Inputs.Select(i => i.Name))}");
        return input.DataType is DataType.Bytes or DataType.Int64
            ? input
            : throw new InvalidOperationException($"precomputed.key_input '{name}' is {input.DataType.Name()}; a key input must be BYTES or INT64");
    }

    private PrecomputedSource Open(string source)
    {
        lock (_sources)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_sources.TryGetValue(source, out var open))
            {
                return open;
            }

            IPrecomputedPredictions store;
            try
            {
                store = resolver!(source) ?? throw new InvalidOperationException("the resolver returned no store");
            }
            catch (Exception ex)
            {
                throw new InvalidOperationException($"precomputed.source '{SourceText.Redact(source)}': {ex.Message}", ex);
            }

            open = new PrecomputedSource(SourceText.Redact(source), store, time, _logger);
            _sources.Add(source, open);
            return open;
        }
    }

    public async ValueTask DisposeAsync()
    {
        PrecomputedSource[] sources;
        lock (_sources)
        {
            _disposed = true;
            sources = [.. _sources.Values];
            _sources.Clear();
        }

        foreach (var source in sources)
        {
            await source.DisposeAsync().ConfigureAwait(false);
        }
    }
}
