using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Augur.Engine;

/// <summary>
/// Fingerprints of repository files (relative path, length and last write time of every file, hashed), so a poll can
/// tell which models changed without reading model files. Symbolic links are not followed.
/// </summary>
internal static class RepositoryFingerprint
{
    /// <summary>The fingerprint of one file; empty when it does not exist.</summary>
    public static string OfFile(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? Hash($"{info.Length}|{info.LastWriteTimeUtc.Ticks}") : string.Empty;
    }

    /// <summary>The fingerprint of every file under <paramref name="directory"/>; empty when it does not exist.</summary>
    public static string OfDirectory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return string.Empty;
        }

        var text = new StringBuilder();
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };
        foreach (var file in new DirectoryInfo(directory).EnumerateFiles("*", options).OrderBy(f => f.FullName, StringComparer.Ordinal))
        {
            text.Append(Path.GetRelativePath(directory, file.FullName)).Append('|')
                .Append(file.Length.ToString(CultureInfo.InvariantCulture)).Append('|')
                .Append(file.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        return Hash(text.ToString());
    }

    /// <summary>The fingerprint of a whole model folder: its config.json and each version folder.</summary>
    public static string OfModel(string directory) => Directory.Exists(directory) ? OfDirectory(directory) : string.Empty;

    private static string Hash(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
