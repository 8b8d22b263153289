using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using Augur.OnnxRuntime.Pipelines.Sparse;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Pipelines.Featurizers;

/// <summary>
/// <c>text_ngrams</c>: BYTES [B, 1] → FP32 [B, buckets], a bag of hashed word n-grams per row. The text has its ASCII
/// letters lower-cased (when <c>lowercase</c>, the default) and is split into tokens at runs of ASCII whitespace (space, tab, CR, LF), empty
/// tokens dropped; for each n from <c>ngram_min</c> to <c>ngram_max</c>, each run of n consecutive tokens joined by one
/// space is hashed (<see cref="MurmurHash3"/> over its UTF-8 bytes with <c>seed</c>, unsigned, mod <c>buckets</c>), and
/// the output counts the n-grams of each bucket.
/// </summary>
/// <remarks>
/// Lower-casing changes the ASCII letters A–Z only, byte for byte: what ONNX Runtime's StringNormalizer does in locale
/// <c>C</c>, so a fused pipeline gives the same counts on every host (design note 0014). The text must be valid UTF-8,
/// as the fused graph's string operators require; a row that is not is refused, naming the row.
/// </remarks>
internal sealed class TextNgramsFeaturizer : ISparseFeaturizer
{
    public const string Name = "text_ngrams";

    /// <summary>
    /// The widest output allowed: 2^20 buckets (4 MiB of FP32 per row). Wider rows cost memory per request and gain
    /// nothing from n-gram counts of short texts.
    /// </summary>
    public const int MaxBuckets = 1 << 20;

    /// <summary>The longest n-gram: trigrams.</summary>
    public const int MaxNgram = 3;

    public TextNgramsFeaturizer(FeaturizerSettings settings)
    {
        Buckets = settings.Int("buckets", 1, MaxBuckets);
        NgramMin = settings.Int("ngram_min", 1, MaxNgram, fallback: 1);
        NgramMax = settings.Int("ngram_max", 1, MaxNgram, fallback: 1);
        if (NgramMin > NgramMax)
        {
            throw new FormatException($"setting 'ngram_min' ({NgramMin}) must not exceed 'ngram_max' ({NgramMax})");
        }

        Lowercase = settings.Bool("lowercase", fallback: true);
        Seed = settings.Seed("seed");
    }

    public string Kind => Name;

    public int Buckets { get; }

    public int NgramMin { get; }

    public int NgramMax { get; }

    public bool Lowercase { get; }

    public uint Seed { get; }

    public bool TryInfer(IReadOnlyList<PipelineTensor> inputs, out DataType dataType, [NotNullWhen(true)] out long[]? shape, [NotNullWhen(false)] out string? problem)
    {
        dataType = DataType.Fp32;
        shape = null;
        problem = FeaturizerInputs.Count(Kind, inputs, 1) ?? FeaturizerInputs.Matrix(Kind, inputs[0], [DataType.Bytes], 1);
        if (problem is not null)
        {
            return false;
        }

        shape = [-1, Buckets];
        return true;
    }

    public bool TryRun(IReadOnlyList<InferenceTensor> inputs, string output, [NotNullWhen(true)] out InferenceTensor? result, [NotNullWhen(false)] out string? problem)
    {
        result = null;
        if (!TryTexts(inputs[0], out var texts, out problem))
        {
            return false;
        }

        var data = new byte[checked(texts.Length * Buckets * sizeof(float))];
        var counts = MemoryMarshal.Cast<byte, float>(data.AsSpan());
        for (var row = 0; row < texts.Length; row++)
        {
            Count(texts[row].Span, counts.Slice(row * Buckets, Buckets));
        }

        result = InferenceTensor.FromRaw(output, DataType.Fp32, [texts.Length, Buckets], data);
        return true;
    }

    public bool TryRunSparse(IReadOnlyList<InferenceTensor> inputs, [NotNullWhen(true)] out SparseRows? result, [NotNullWhen(false)] out string? problem)
    {
        result = null;
        if (!TryTexts(inputs[0], out var texts, out problem))
        {
            return false;
        }

        var starts = new int[texts.Length + 1];
        var indices = new List<int>();
        var values = new List<float>();
        var buckets = new List<int>();
        for (var row = 0; row < texts.Length; row++)
        {
            buckets.Clear();
            AddBuckets(texts[row].Span, buckets);
            buckets.Sort();
            for (var i = 0; i < buckets.Count;)
            {
                var run = i;
                while (run < buckets.Count && buckets[run] == buckets[i])
                {
                    run++;
                }

                // A count below 2^24 is exact in FP32, as the dense row's += 1 is.
                indices.Add(buckets[i]);
                values.Add(run - i);
                i = run;
            }

            starts[row + 1] = indices.Count;
        }

        result = new SparseRows(Buckets, starts, [.. indices], [.. values]);
        return true;
    }

    private bool TryTexts(InferenceTensor input, [NotNullWhen(true)] out ReadOnlyMemory<byte>[]? texts, [NotNullWhen(false)] out string? problem)
    {
        texts = null;
        if ((problem = FeaturizerInputs.Columns(Kind, input, 1)) is not null)
        {
            return false;
        }

        texts = input.GetBytesElements();
        for (var row = 0; row < texts.Length; row++)
        {
            if (Utf8Text.Problem(texts[row].Span) is { } invalid)
            {
                problem = $"tensor '{input.Name}' row {row}: {invalid}; {Kind} reads text";
                texts = null;
                return false;
            }
        }

        return true;
    }

    /// <summary>Adds the n-grams of one text to its row of bucket counts.</summary>
    public void Count(ReadOnlySpan<byte> text, Span<float> row)
    {
        var buckets = new List<int>();
        AddBuckets(text, buckets);
        foreach (var bucket in buckets)
        {
            row[bucket] += 1f;
        }
    }

    /// <summary>Adds the bucket of each n-gram of one text to <paramref name="buckets"/>, in order, repeats included.</summary>
    public void AddBuckets(ReadOnlySpan<byte> text, List<int> buckets)
    {
        var bytes = Lowercase ? LowerCase(text) : text;
        var tokens = Tokens(bytes);
        var buffer = ArrayPool<byte>.Shared.Rent(bytes.Length);
        try
        {
            for (var n = NgramMin; n <= NgramMax; n++)
            {
                for (var first = 0; first + n <= tokens.Count; first++)
                {
                    var length = Join(bytes, tokens, first, n, buffer);
                    buckets.Add((int)(MurmurHash3.Hash32(buffer.AsSpan(0, length), Seed) % (uint)Buckets));
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The (start, length) of each token: the runs of bytes between ASCII whitespace.</summary>
    public static List<(int Start, int Length)> Tokens(ReadOnlySpan<byte> text)
    {
        var tokens = new List<(int, int)>();
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var space = i == text.Length || IsSpace(text[i]);
            if (space && start >= 0)
            {
                tokens.Add((start, i - start));
                start = -1;
            }
            else if (!space && start < 0)
            {
                start = i;
            }
        }

        return tokens;
    }

    /// <summary>The text with its ASCII letters A–Z lower-cased, every other byte as it is.</summary>
    public static byte[] LowerCase(ReadOnlySpan<byte> text)
    {
        var lower = text.ToArray();
        for (var i = 0; i < lower.Length; i++)
        {
            if (lower[i] is >= (byte)'A' and <= (byte)'Z')
            {
                lower[i] += 'a' - 'A';
            }
        }

        return lower;
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

    private static int Join(ReadOnlySpan<byte> text, List<(int Start, int Length)> tokens, int first, int n, byte[] buffer)
    {
        var length = 0;
        for (var t = first; t < first + n; t++)
        {
            if (t > first)
            {
                buffer[length++] = (byte)' ';
            }

            var (start, count) = tokens[t];
            text.Slice(start, count).CopyTo(buffer.AsSpan(length));
            length += count;
        }

        return length;
    }
}
