using System.Security.Cryptography;

namespace Augur.OnnxRuntime.Backend;

/// <summary>
/// The bytes of a version's model.onnx, held only while sessions are still to be created from them: the model drops
/// them once its configured instances exist, since shared weights make the file's bytes the largest thing a model
/// would otherwise keep. A session wanted later reads the file again, which must still hold what was loaded.
/// </summary>
internal sealed class ModelFileBytes(string path, byte[] bytes)
{
    private readonly byte[] _hash = SHA256.HashData(bytes);
    private byte[]? _bytes = bytes;

    /// <summary>The bytes that were loaded: the ones kept, or the file read again and checked against them.</summary>
    public byte[] Read()
    {
        if (Volatile.Read(ref _bytes) is { } kept)
        {
            return kept;
        }

        byte[] again;
        try
        {
            again = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{path} could not be read again for a new instance: {ex.Message}", ex);
        }

        return SHA256.HashData(again).AsSpan().SequenceEqual(_hash)
            ? again
            : throw new InvalidDataException(
                $"{path} changed since this version was loaded (its SHA-256 differs), so no instance can be added from it; load the model again to serve the new file");
    }

    /// <summary>Lets the bytes go; <see cref="Read"/> reads the file from now on. Returns how many were let go (0 after the first call).</summary>
    public long Drop() => Interlocked.Exchange(ref _bytes, null)?.LongLength ?? 0;
}
