using System.Security.Cryptography;

namespace Augur.OnnxRuntime.Backend;

/// <summary>
/// The bytes of a version's model.onnx, held only while sessions are still to be created from them: the model drops
/// them once its configured instances exist, since shared weights make the file's bytes the largest thing a model
/// would otherwise keep. A session wanted later reads the file again, which must still hold what was loaded. A graph
/// that is no file (a fused pipeline) is built again instead, from its files, and must come out the same.
/// </summary>
internal sealed class ModelFileBytes
{
    private readonly string _path;
    private readonly Func<byte[]> _readAgain;
    private readonly byte[] _hash;
    private byte[]? _bytes;

    /// <summary>The bytes of the file at <paramref name="path"/>.</summary>
    public ModelFileBytes(string path, byte[] bytes)
        : this(path, bytes, () => File.ReadAllBytes(path))
    {
    }

    private ModelFileBytes(string path, byte[] bytes, Func<byte[]> readAgain)
    {
        _path = path;
        _readAgain = readAgain;
        _hash = SHA256.HashData(bytes);
        _bytes = bytes;
    }

    /// <summary>Bytes made by <paramref name="build"/>, which makes them again when they are wanted after <see cref="Drop"/>.</summary>
    public static ModelFileBytes Generated(string description, byte[] bytes, Func<byte[]> build) => new(description, bytes, build);

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
            again = _readAgain();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new InvalidDataException($"{_path} could not be read again for a new instance: {ex.Message}", ex);
        }

        return SHA256.HashData(again).AsSpan().SequenceEqual(_hash)
            ? again
            : throw new InvalidDataException(
                $"{_path} changed since this version was loaded (its SHA-256 differs), so no instance can be added from it; load the model again to serve the new file");
    }

    /// <summary>Lets the bytes go; <see cref="Read"/> reads the file from now on. Returns how many were let go (0 after the first call).</summary>
    public long Drop() => Interlocked.Exchange(ref _bytes, null)?.LongLength ?? 0;
}
