using System.IO.Hashing;
using Augur.Inference;
using Augur.Models;
using Augur.Tensors;

namespace Augur.Caching;

/// <summary>
/// What makes two requests to one version the same question: every input's name, datatype, shape and bytes (in name
/// order, so the order they were sent in does not matter), the outputs asked for (as a set) and the precomputed key. The
/// same fields are hashed (XxHash128, to find an entry), compared with an entry's stored copy (so a hash collision is
/// never served as an answer) and copied into the entry. The request id, priority and timeout are not part of it: they
/// do not change the answer.
/// </summary>
internal static class RequestKey
{
    // Up to this many inputs are ordered in a stack buffer; more is rare enough to allocate.
    public const int StackInputs = 16;

    private const int BufferBytes = 256;

    // Keys up to this size are hashed from one stack buffer.
    private const int OneShotBytes = 1024;

    [ThreadStatic]
    private static XxHash128? t_hash;

    /// <summary>Fills <paramref name="order"/> with the indices of <paramref name="inputs"/> sorted by name (ordinal).</summary>
    public static void Order(IReadOnlyList<InferenceTensor> inputs, Span<int> order)
    {
        for (var i = 0; i < order.Length; i++)
        {
            var j = i;
            while (j > 0 && string.CompareOrdinal(inputs[order[j - 1]].Name, inputs[i].Name) > 0)
            {
                order[j] = order[j - 1];
                j--;
            }

            order[j] = i;
        }
    }

    /// <summary>The hash of <paramref name="version"/> (the version's identity) and the request's key material.</summary>
    public static UInt128 Hash(ReadOnlySpan<byte> version, InferenceRequest request, ReadOnlySpan<int> order, ModelSignature signature)
    {
        // A small key is laid out on the stack and hashed in one call, which is several times cheaper than streaming it.
        var length = new KeyEncoder<LengthSink>(default, stackalloc byte[BufferBytes]);
        Write(ref length, request, order, signature);
        length.Flush();
        if (version.Length + length.Sink.Length <= OneShotBytes)
        {
            Span<byte> key = stackalloc byte[OneShotBytes];
            version.CopyTo(key);
            var copy = new KeyEncoder<CopySink>(new CopySink(key[version.Length..]), stackalloc byte[BufferBytes]);
            Write(ref copy, request, order, signature);
            copy.Flush();
            return XxHash128.HashToUInt128(key[..(version.Length + copy.Sink.Written)]);
        }

        // One hasher per thread: nothing here awaits, so no other request can use it in between.
        var hash = t_hash ??= new XxHash128();
        hash.Reset();
        hash.Append(version);
        var encoder = new KeyEncoder<HashSink>(new HashSink(hash), stackalloc byte[BufferBytes]);
        Write(ref encoder, request, order, signature);
        encoder.Flush();
        return hash.GetCurrentHashAsUInt128();
    }

    /// <summary>True when <paramref name="material"/> (an entry's copy) is exactly this request's key material.</summary>
    public static bool Matches(ReadOnlySpan<byte> material, InferenceRequest request, ReadOnlySpan<int> order, ModelSignature signature)
    {
        var encoder = new KeyEncoder<CompareSink>(new CompareSink(material), stackalloc byte[BufferBytes]);
        Write(ref encoder, request, order, signature);
        encoder.Flush();
        return encoder.Sink.MatchedAll;
    }

    /// <summary>The request's key material as bytes: what an entry keeps to compare later requests with.</summary>
    public static byte[] Material(InferenceRequest request, ReadOnlySpan<int> order, ModelSignature signature)
    {
        var length = new KeyEncoder<LengthSink>(default, stackalloc byte[BufferBytes]);
        Write(ref length, request, order, signature);
        length.Flush();
        var material = new byte[checked((int)length.Sink.Length)];
        var copy = new KeyEncoder<CopySink>(new CopySink(material), stackalloc byte[BufferBytes]);
        Write(ref copy, request, order, signature);
        copy.Flush();
        return material;
    }

    /// <summary>
    /// The key material: the input count; per input (in name order) its name, datatype, rank, dimensions, data length and
    /// data; the requested outputs (-1 for all, else their names in signature order); the precomputed key (-1 for none).
    /// </summary>
    private static void Write<TSink>(ref KeyEncoder<TSink> encoder, InferenceRequest request, ReadOnlySpan<int> order, ModelSignature signature)
        where TSink : IKeySink, allows ref struct
    {
        var inputs = request.Inputs;
        encoder.Int32(order.Length);
        foreach (var index in order)
        {
            var input = inputs[index];
            encoder.Name(input.Name);
            encoder.Byte((byte)input.DataType);
            var shape = input.Shape;
            encoder.Int32(shape.Length);
            foreach (var dimension in shape)
            {
                encoder.Int64(dimension);
            }

            var data = input.Data.Span;
            encoder.Int64(data.Length);
            encoder.Bytes(data);
        }

        if (request.RequestedOutputs is not { } requested)
        {
            encoder.Int32(-1);
        }
        else
        {
            // As a set: the same outputs asked for in another order share the answer (the engine orders the response).
            encoder.Int32(requested.Count);
            foreach (var output in signature.Outputs)
            {
                if (Contains(requested, output.Name))
                {
                    encoder.Name(output.Name);
                }
            }
        }

        if (request.PredictionKey is { } key)
        {
            encoder.Name(key);
        }
        else
        {
            encoder.Int32(-1);
        }
    }

    /// <summary>True when <paramref name="name"/> is one of <paramref name="requested"/> (lists are a few names long).</summary>
    public static bool Contains(IReadOnlyList<string> requested, string name)
    {
        for (var i = 0; i < requested.Count; i++)
        {
            if (string.Equals(requested[i], name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
