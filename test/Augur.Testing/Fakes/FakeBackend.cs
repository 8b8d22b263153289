using System.Collections.Concurrent;
using Augur.Backends;

namespace Augur.Testing.Fakes;

/// <summary>
/// An <see cref="IModelBackend"/> with no ML framework behind it. It loads version folders that contain a
/// <see cref="FileName"/> file (its content is ignored) and serves the model registered in code under the
/// folder's model name (and optionally version) with <see cref="Register(string, FakeModelSpec)"/>.
/// Every model it loads is recorded in <see cref="Loaded"/>, so tests can inspect executions and lifecycles.
/// </summary>
public sealed class FakeBackend : IModelBackend
{
    /// <summary>The file a version folder needs for this backend to load it.</summary>
    public const string FileName = "model.fake";

    private readonly ConcurrentDictionary<(string Model, long? Version), FakeModelSpec> _specs = new();
    private readonly ConcurrentQueue<FakeModel> _loaded = new();

    /// <summary>Creates a backend reporting <paramref name="platform"/> in model metadata, named <paramref name="name"/> in config.json.</summary>
    public FakeBackend(string platform = "fake", string name = "fake")
    {
        Platform = platform;
        Name = name;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public string Platform { get; }

    /// <inheritdoc />
    public string ExpectedFiles => FileName;

    /// <summary>Every model loaded so far (including those whose version later failed), in load order.</summary>
    public IReadOnlyList<FakeModel> Loaded => _loaded.ToArray();

    /// <summary>How many times <see cref="LoadAsync"/> was called.</summary>
    public int LoadCalls => _loadCalls;

    private int _loadCalls;

    /// <summary>Serves <paramref name="spec"/> for every version of <paramref name="model"/>.</summary>
    public FakeBackend Register(string model, FakeModelSpec spec)
    {
        _specs[(model, null)] = spec;
        return this;
    }

    /// <summary>Serves <paramref name="spec"/> for one version of <paramref name="model"/> (takes precedence over the model-wide spec).</summary>
    public FakeBackend Register(string model, long version, FakeModelSpec spec)
    {
        _specs[(model, version)] = spec;
        return this;
    }

    /// <summary>The last loaded model for <paramref name="model"/> version <paramref name="version"/>; throws when none was loaded.</summary>
    public FakeModel Model(string model, long version = 1) =>
        Loaded.LastOrDefault(m => m.Name == model && m.Version == version)
        ?? throw new InvalidOperationException($"the fake backend loaded no model '{model}' version {version}");

    /// <inheritdoc />
    public bool CanLoad(string versionDirectory) => File.Exists(Path.Combine(versionDirectory, FileName));

    /// <inheritdoc />
    public ValueTask<IModel> LoadAsync(ModelLoadContext context, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _loadCalls);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_specs.TryGetValue((context.ModelName, context.Version), out var spec) && !_specs.TryGetValue((context.ModelName, null), out spec))
        {
            throw new InvalidOperationException($"the fake backend has no model registered as '{context.ModelName}'");
        }

        if (spec.LoadError is not null)
        {
            throw new InvalidOperationException(spec.LoadError);
        }

        var model = new FakeModel(context, spec);
        _loaded.Enqueue(model);
        return ValueTask.FromResult<IModel>(spec.MemoryBytes is null ? model : new FakeMemoryModel(model));
    }
}
