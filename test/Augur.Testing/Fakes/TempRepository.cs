using System.Globalization;

namespace Augur.Testing.Fakes;

/// <summary>
/// A model repository in a fresh folder under <see cref="Path.GetTempPath"/>, deleted on dispose.
/// Versions are folders holding the <see cref="FakeBackend.FileName"/> file the fake backend loads.
/// </summary>
public sealed class TempRepository : IDisposable
{
    /// <summary>Creates an empty repository folder.</summary>
    public TempRepository()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "augur-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    /// <summary>The repository folder.</summary>
    public string Path { get; }

    /// <summary>Creates <c>&lt;model&gt;/&lt;version&gt;/model.fake</c> for each version.</summary>
    public TempRepository AddModel(string model, params long[] versions)
    {
        Directory.CreateDirectory(ModelPath(model));
        foreach (var version in versions.Length == 0 ? [1L] : versions)
        {
            AddVersionFolder(model, version.ToString(CultureInfo.InvariantCulture), withModelFile: true);
        }

        return this;
    }

    /// <summary>Creates <c>&lt;model&gt;/&lt;folder&gt;</c>, with or without the model file (for folders that are not versions).</summary>
    public TempRepository AddVersionFolder(string model, string folder, bool withModelFile)
    {
        var directory = System.IO.Path.Combine(ModelPath(model), folder);
        Directory.CreateDirectory(directory);
        if (withModelFile)
        {
            File.WriteAllText(System.IO.Path.Combine(directory, FakeBackend.FileName), "{}");
        }

        return this;
    }

    /// <summary>Writes <c>&lt;model&gt;/config.json</c>.</summary>
    public TempRepository WriteConfig(string model, string json)
    {
        Directory.CreateDirectory(ModelPath(model));
        File.WriteAllText(System.IO.Path.Combine(ModelPath(model), "config.json"), json);
        return this;
    }

    /// <summary>The folder of <paramref name="model"/>.</summary>
    public string ModelPath(string model) => System.IO.Path.Combine(Path, model);

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder must not fail a test.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
