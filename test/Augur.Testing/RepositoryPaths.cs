namespace Augur.Testing;

/// <summary>Paths inside the source tree, found from the test binaries' folder.</summary>
public static class RepositoryPaths
{
    /// <summary>The folder holding Augur.slnx.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The committed sample model repository.</summary>
    public static string SampleModels => Path.Combine(Root, "samples", "models");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Augur.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Augur.slnx not found above the test folder");
    }
}
