using Augur.Models;

namespace Augur.Engine.Budget;

/// <summary>
/// The memory estimate of a model that does not report its own (<see cref="Backends.IReportsMemory"/>): the byte size of
/// its version folders' files. A model file loaded by ONNX Runtime takes about its size, plus the runtime's arenas.
/// </summary>
internal static class ModelFootprint
{
    private static readonly EnumerationOptions Files = new() { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };

    /// <summary>The bytes of every file under <paramref name="directory"/> (symbolic links not followed); 0 when it does not exist.</summary>
    public static long OfDirectory(string directory) =>
        Directory.Exists(directory) ? new DirectoryInfo(directory).EnumerateFiles("*", Files).Sum(f => f.Length) : 0;

    /// <summary>The bytes of the version folders of <paramref name="modelDirectory"/> that <paramref name="policy"/> selects.</summary>
    public static long OfModel(string modelDirectory, VersionPolicy policy)
    {
        if (!Directory.Exists(modelDirectory))
        {
            return 0;
        }

        var versions = Directory.EnumerateDirectories(modelDirectory)
            .Select(d => ModelNames.TryParseVersion(Path.GetFileName(d), out var v) ? v : 0)
            .Where(v => v > 0)
            .ToList();
        return policy.Select(versions).Sum(v => OfDirectory(Path.Combine(modelDirectory, v.ToString(System.Globalization.CultureInfo.InvariantCulture))));
    }
}
