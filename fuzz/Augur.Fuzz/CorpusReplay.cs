using Augur.Fuzz.Targets;

namespace Augur.Fuzz;

/// <summary>An input that failed its target, with what escaped.</summary>
internal sealed record ReplayFailure(string File, Exception Exception);

/// <summary>An input that broke no property, with how far it went.</summary>
internal sealed record ReplayResult(string File, FuzzOutcome Outcome);

/// <summary>Runs every file of some folders (or single files) through a target in this process, collecting failures.</summary>
internal static class CorpusReplay
{
    // Hidden entries (dot files and folders, such as afl-fuzz's queue/.state) are skipped by default.
    private static readonly EnumerationOptions Recursive = new() { RecurseSubdirectories = true };

    /// <summary>The files under <paramref name="paths"/>, in a stable order; afl-fuzz's README.txt and dot files are not inputs.</summary>
    public static IReadOnlyList<string> Files(IEnumerable<string> paths) => paths
        .SelectMany(path => Directory.Exists(path)
            ? Directory.EnumerateFiles(path, "*", Recursive)
            : File.Exists(path) ? [path] : throw new FileNotFoundException($"no such file or folder: {path}", path))
        .Where(file => Path.GetFileName(file) != "README.txt")
        .Order(StringComparer.Ordinal)
        .ToArray();

    public static (IReadOnlyList<ReplayResult> Passed, IReadOnlyList<ReplayFailure> Failed) Run(FuzzTarget target, IReadOnlyList<string> files)
    {
        var passed = new List<ReplayResult>();
        var failed = new List<ReplayFailure>();
        foreach (var file in files)
        {
            try
            {
                passed.Add(new ReplayResult(file, target.Run(File.ReadAllBytes(file))));
            }
            catch (Exception ex)
            {
                failed.Add(new ReplayFailure(file, ex));
            }
        }

        return (passed, failed);
    }
}
