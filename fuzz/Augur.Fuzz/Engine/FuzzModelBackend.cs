using Augur.Backends;

namespace Augur.Fuzz.Engine;

/// <summary>Loads <see cref="FuzzModel"/> from any version folder holding <see cref="FileName"/>.</summary>
internal sealed class FuzzModelBackend : IModelBackend
{
    public const string FileName = "model.fuzz";

    public string Name => "fuzz";

    public string Platform => "fuzz";

    public string ExpectedFiles => FileName;

    public bool CanLoad(string versionDirectory) => File.Exists(Path.Combine(versionDirectory, FileName));

    public ValueTask<IModel> LoadAsync(ModelLoadContext context, CancellationToken cancellationToken) => ValueTask.FromResult<IModel>(new FuzzModel());
}
