using Augur.Backends;
using Augur.Diagnostics;
using Augur.Models;
using Augur.Scheduling;
using Augur.Sequences;
using Augur.Stages;
using Microsoft.Extensions.Logging;

namespace Augur.Engine;

/// <summary>
/// Loads a model repository laid out as <c>&lt;repository&gt;/&lt;model&gt;/&lt;version&gt;/</c> (each version folder holding
/// what its backend loads, e.g. <c>model.onnx</c>) with an
/// optional <c>&lt;repository&gt;/&lt;model&gt;/config.json</c>. A model that fails is recorded with its reason
/// and never stops the others. Every scheduler it creates stops waiting for peers when <paramref name="stopWaiting"/> fires.
/// Each version gets the stages <paramref name="stageFactories"/> make for it (in their order), then, for a sequence
/// model, the sequence stage.
/// </summary>
internal sealed class RepositoryLoader(IReadOnlyList<IModelBackend> backends, TimeProvider time, ILoggerFactory loggerFactory, EngineMetrics metrics, CancellationToken stopWaiting = default, IReadOnlyList<IRequestStageFactory>? stageFactories = null, TimeSpan? defaultTimeout = null, TimeSpan? computeThreadFrom = null)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("Augur.Engine");
    private readonly ILogger _schedulerLogger = loggerFactory.CreateLogger("Augur.Scheduling");
    private readonly IRequestStageFactory[] _stageFactories = (stageFactories ?? []).OrderBy(f => f.Order).ToArray();

    /// <summary>The stages the factories make for a version, outermost first; a factory that throws fails the load.</summary>
    private List<IRequestStage> CreateStages(StageSite site)
    {
        var stages = new List<IRequestStage>(_stageFactories.Length + 1);
        try
        {
            foreach (var factory in _stageFactories)
            {
                if (factory.Create(site) is { } stage)
                {
                    stages.Add(stage);
                }
            }

            return stages;
        }
        catch
        {
            foreach (var stage in stages)
            {
                (stage as IDisposable)?.Dispose();
            }

            throw;
        }
    }

    /// <summary>Settings that only make sense once the max batch size is known.</summary>
    private static string? CheckBatching(DynamicBatchingConfig batching, int maxBatchSize)
    {
        var tooLarge = batching.PreferredBatchSizes.Where(size => size > Math.Max(maxBatchSize, 1)).ToArray();
        return tooLarge.Length == 0
            ? null
            : $"dynamic_batching.preferred_batch_size {string.Join(", ", tooLarge)} exceeds the max batch size {maxBatchSize}";
    }

    /// <summary>Loads every model of <paramref name="repository"/>, or only those <paramref name="include"/> accepts.</summary>
    public async Task<Dictionary<string, ModelEntry>> LoadAsync(string repository, CancellationToken cancellationToken, Func<string, bool>? include = null)
    {
        var models = new Dictionary<string, ModelEntry>(StringComparer.Ordinal);
        if (!Directory.Exists(repository))
        {
            // A mistyped path must not start a server that answers "unknown model" to everything.
            throw new DirectoryNotFoundException($"The model repository '{repository}' does not exist.");
        }

        EngineLog.LoadingRepository(_logger, repository);
        foreach (var directory in Directory.EnumerateDirectories(repository).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(directory);
            if (!ModelNames.IsValid(name) || (include is not null && !include(name)))
            {
                continue;
            }

            try
            {
                models[name] = await LoadModelAsync(name, directory, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await DisposeAllAsync(models.Values.SelectMany(m => m.Ready)).ConfigureAwait(false);
                throw;
            }
            catch (Exception ex)
            {
                // Whatever goes wrong with one model (an unreadable folder, say) is that model's problem alone.
                models[name] = Unavailable(name, ex.Message);
            }
        }

        EngineLog.LoadedRepository(_logger, models.Count, repository, models.Values.Count(m => m.Latest is not null));
        return models;
    }

    /// <summary>
    /// Loads one model folder. Versions of <paramref name="previous"/> whose files and config.json are unchanged are
    /// reused as they are (not reloaded); the caller owns every other version of the result.
    /// </summary>
    public async Task<ModelEntry> LoadModelAsync(string name, string directory, CancellationToken cancellationToken, ModelEntry? previous = null)
    {
        var config = ModelConfig.Empty;
        var configPath = Path.Combine(directory, ModelConfigReader.FileName);
        var configFingerprint = RepositoryFingerprint.OfFile(configPath);
        if (File.Exists(configPath) && !ModelConfigReader.TryParse(await File.ReadAllTextAsync(configPath, cancellationToken).ConfigureAwait(false), out config, out var problem))
        {
            return Unavailable(name, problem!);
        }

        var reusable = previous is not null && previous.ConfigFingerprint == configFingerprint ? previous : null;

        var available = new List<long>();
        foreach (var entry in Directory.EnumerateDirectories(directory))
        {
            if (ModelNames.TryParseVersion(Path.GetFileName(entry), out var version))
            {
                available.Add(version);
            }
            else
            {
                EngineLog.IgnoredEntry(_logger, name, entry);
            }
        }

        var selected = config.VersionPolicy.Select(available);
        if (selected.Count == 0)
        {
            return Unavailable(name, "no version folders (expected <model>/<version>/, version a positive integer)");
        }

        var statuses = new List<ModelVersionStatus>();
        var ready = new List<LoadedVersion>();
        var platform = string.Empty;
        foreach (var version in selected)
        {
            var versionDirectory = Path.Combine(directory, version.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var fingerprint = RepositoryFingerprint.OfDirectory(versionDirectory);
            if (reusable?.Find(version) is { } kept && kept.Fingerprint == fingerprint)
            {
                platform = kept.Platform;
                ready.Add(kept);
                statuses.Add(new ModelVersionStatus(version, ModelState.Ready, null));
                continue;
            }

            (LoadedVersion? Loaded, string? Reason) outcome;
            try
            {
                outcome = await LoadVersionAsync(name, version, versionDirectory, config, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await DisposeAllAsync(ready.Where(v => reusable?.Ready.Contains(v) != true)).ConfigureAwait(false);
                throw;
            }

            var (loaded, reason) = outcome;
            if (loaded is null)
            {
                EngineLog.VersionFailed(_logger, name, version, reason!);
                statuses.Add(new ModelVersionStatus(version, ModelState.Unavailable, reason));
                continue;
            }

            platform = loaded.Platform;
            ready.Add(loaded);
            statuses.Add(new ModelVersionStatus(version, ModelState.Ready, null));
        }

        var modelReason = ready.Count > 0 ? null : string.Join("; ", statuses.Select(s => $"version {s.Version}: {s.Reason}"));
        return new ModelEntry(new ModelStatus(name, ready.Count > 0 ? ModelState.Ready : ModelState.Unavailable, modelReason, statuses), ready, platform)
        {
            Required = config.Required,
            ConfigFingerprint = configFingerprint,
        };
    }

    private async Task<(LoadedVersion? Loaded, string? Reason)> LoadVersionAsync(string name, long version, string directory, ModelConfig config, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(directory))
        {
            return (null, "the version folder does not exist");
        }

        if (BackendChoice.Choose(backends, config, directory, out var choiceProblem) is not { } choice)
        {
            return (null, choiceProblem);
        }

        var backend = choice.Loader;

        // Taken before the files are read: a file changed during the load changes the next poll's fingerprint.
        var fingerprint = RepositoryFingerprint.OfDirectory(directory);
        IModel? model = null;
        var instances = new List<IModelInstance>();
        try
        {
            var context = choice.Apply(new ModelLoadContext(name, version, Path.GetFullPath(directory), config, loggerFactory, time) { Meter = metrics.Meter });
            model = await backend.LoadAsync(context, cancellationToken).ConfigureAwait(false);
            if (!SignatureResolver.TryResolve(model.Signature, config, out var signature, out var maxBatchSize, out var problem))
            {
                await model.DisposeAsync().ConfigureAwait(false);
                return (null, problem);
            }

            if (CheckBatching(config.DynamicBatching, maxBatchSize) is { } batchingProblem)
            {
                await model.DisposeAsync().ConfigureAwait(false);
                return (null, batchingProblem);
            }

            SequenceSignature? sequenceSignature = null;
            if (config.SequenceBatching is { } sequencing && !SequenceSignature.TrySplit(signature, maxBatchSize, sequencing, out sequenceSignature, out var sequenceProblem))
            {
                await model.DisposeAsync().ConfigureAwait(false);
                return (null, sequenceProblem);
            }

            for (var i = 0; i < config.InstanceCount; i++)
            {
                instances.Add(await model.CreateInstanceAsync(i, cancellationToken).ConfigureAwait(false));
            }

            if (await Warmup.RunAsync(name, signature, maxBatchSize, config.Warmup, instances, cancellationToken).ConfigureAwait(false) is { } warning)
            {
                EngineLog.WarmupSkipped(_logger, name, version, warning);
            }

            var versionText = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var scheduler = new DynamicBatcher(new SchedulerSettings(name, versionText, signature, maxBatchSize, config.DynamicBatching, defaultTimeout, computeThreadFrom), instances, metrics, time, _schedulerLogger, stopWaiting);
            var clientSignature = sequenceSignature?.Client ?? signature;
            var stages = CreateStages(new StageSite(name, version, fingerprint, clientSignature, maxBatchSize, config, time, metrics, loggerFactory)
            {
                ModelDirectory = Path.GetDirectoryName(Path.GetFullPath(directory)),
            });
            if (sequenceSignature is not null)
            {
                stages.Add(new SequenceBatcher(name, versionText, config.SequenceBatching!, sequenceSignature, maxBatchSize, time, metrics));
            }

            EngineLog.VersionReady(_logger, name, version, choice.Runner.Platform, instances.Count, maxBatchSize);
            return (new LoadedVersion(name, version, choice.Runner.Platform, clientSignature, maxBatchSize, config.DynamicBatching, model, scheduler, stages) { Fingerprint = fingerprint, FileBytes = Budget.ModelFootprint.OfDirectory(directory) }, null);
        }
        catch (Exception ex)
        {
            foreach (var instance in instances)
            {
                await instance.DisposeAsync().ConfigureAwait(false);
            }

            if (model is not null)
            {
                await model.DisposeAsync().ConfigureAwait(false);
            }

            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            return (null, ex.Message);
        }
    }

    private static async ValueTask DisposeAllAsync(IEnumerable<LoadedVersion> versions)
    {
        foreach (var version in versions)
        {
            await version.DisposeAsync().ConfigureAwait(false);
        }
    }

    private ModelEntry Unavailable(string name, string reason)
    {
        EngineLog.ModelUnavailable(_logger, name, reason);
        return new ModelEntry(new ModelStatus(name, ModelState.Unavailable, reason, []), [], string.Empty);
    }
}
