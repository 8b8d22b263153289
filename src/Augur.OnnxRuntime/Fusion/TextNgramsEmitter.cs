using Augur.OnnxRuntime.Onnx;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Fusion;

/// <summary>
/// <c>text_ngrams</c> as ONNX operators, BYTES [B, 1] to FP32 [B, buckets] (design note 0014):
/// <list type="number">
/// <item>Reshape to [B]; StringNormalizer LOWER (locale <c>C</c>: A–Z only, as the spec says) if lower-casing is asked for.</item>
/// <item>com.microsoft Tokenizer with the separators space, tab, CR and LF and <c>mincharnum = 1</c>: the tokens of
/// each row, runs of separators and empty tokens dropped, padded to the longest row with a single space (which no token
/// can contain), [B, M]. ONNX's StringSplit is not used: it splits at spaces only, not at tabs, CR or LF.</item>
/// <item>For each n, the n-grams are StringConcat of n shifted Slices of the tokens with " " between, [B, M - n + 1];
/// the n-gram at position p is real when token p + n - 1 is (tokens fill each row from the left).</item>
/// <item>All n-grams side by side, MurmurHash3 (positive), Cast to INT64, Mod by the bucket count.</item>
/// <item>ScatterElements with reduction <c>add</c> of 1 for each real n-gram and 0 for padding into zeros [B, buckets]:
/// measured faster than OneHot and ReduceSum (design note 0014).</item>
/// </list>
/// </summary>
internal static class TextNgramsEmitter
{
    /// <summary>
    /// The locale StringNormalizer lower-cases in: <c>C</c>, where it changes exactly A–Z on every host, as the spec's
    /// lower-casing does. ONNX Runtime's default, en_US.UTF-8, is often not installed, and C.UTF-8 lowers by the host's
    /// glibc tables, which differ from .NET's and between glibc versions (design note 0014).
    /// </summary>
    public const string LowerCaseLocale = "C";

    /// <summary>The ASCII whitespace the spec splits at.</summary>
    public static readonly string[] Separators = [" ", "\t", "\r", "\n"];

    private const string Padding = " ";
    private const int LongestNgram = 3;

    public static void Emit(OnnxGraphBuilder graph, string prefix, string input, string output, int buckets, int ngramMin, int ngramMax, bool lowercase, uint seed)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentException.ThrowIfNullOrEmpty(input);
        ArgumentException.ThrowIfNullOrEmpty(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(buckets, 1);
        if (ngramMin < 1 || ngramMax < ngramMin || ngramMax > LongestNgram)
        {
            throw new ArgumentException($"text_ngrams needs 1 <= ngram_min <= ngram_max <= {LongestNgram}, not {ngramMin} and {ngramMax}.", nameof(ngramMax));
        }

        FeaturizerOpsets.RequireMicrosoft(graph);
        var names = new FusionNames(prefix);
        var tokens = Tokenize(graph, names, input, lowercase);
        var real = names["real_tokens"];
        graph.AddNode("Equal", [tokens, graph.AddInitializer(names["padding"], [Padding])], [names["padded"]]);
        graph.AddNode("Not", [names["padded"]], [real]);

        var grams = new List<string>();
        var masks = new List<string>();
        for (var n = ngramMin; n <= ngramMax; n++)
        {
            grams.Add(Ngrams(graph, names, tokens, n));
            masks.Add(Slice(graph, names, $"real_{n}grams", real, n - 1, 0));
        }

        var allGrams = Join(graph, names, "ngrams", grams);
        var allMasks = Join(graph, names, "real_ngrams", masks);
        graph.AddNode("Cast", [allMasks], [names["counts"]], OnnxAttribute.Int("to", OnnxElementTypes.From(DataType.Fp32)));

        var hashes = HashBucketsEmitter.Hash(graph, names, allGrams, seed);
        graph.AddNode("Mod", [hashes, graph.AddInitializer(names["buckets"], [(long)buckets])], [names["bucket_of"]]);
        Count(graph, names, tokens, names["bucket_of"], names["counts"], buckets, output);
    }

    private static string Tokenize(OnnxGraphBuilder graph, FusionNames names, string input, bool lowercase)
    {
        // StringNormalizer takes [C] (or [1, C]) only, so the [B, 1] input becomes [B]; Tokenizer then makes [B] into [B, M].
        var rows = names["rows"];
        graph.AddNode("Reshape", [input, graph.AddInitializer(names["rows_shape"], [-1L], 1)], [rows]);
        if (lowercase)
        {
            graph.AddNode("StringNormalizer", [rows], [names["lower"]],
                OnnxAttribute.String("case_change_action", "LOWER"),
                OnnxAttribute.Int("is_case_sensitive", 1),
                OnnxAttribute.String("locale", LowerCaseLocale));
            rows = names["lower"];
        }

        graph.AddNode(FeaturizerOpsets.MicrosoftDomain, "Tokenizer", [rows], [names["tokens"]],
            OnnxAttribute.Int("mark", 0),
            OnnxAttribute.String("pad_value", Padding),
            OnnxAttribute.Int("mincharnum", 1),
            OnnxAttribute.Strings("separators", Separators));
        return names["tokens"];
    }

    /// <summary>The n-grams starting at every token position: token p, " ", token p + 1, ... token p + n - 1.</summary>
    private static string Ngrams(OnnxGraphBuilder graph, FusionNames names, string tokens, int n)
    {
        // Part k of the n-grams is tokens k to M - (n - 1 - k); every part has M - n + 1 columns (0 when M < n).
        var joined = Slice(graph, names, $"{n}grams_part0", tokens, 0, n - 1);
        for (var k = 1; k < n; k++)
        {
            var spaced = names[$"{n}grams_spaced{k}"];
            graph.AddNode("StringConcat", [joined, Constant(graph, names, "space", " ")], [spaced]);
            joined = names[$"{n}grams_upto{k}"];
            graph.AddNode("StringConcat", [spaced, Slice(graph, names, $"{n}grams_part{k}", tokens, k, n - 1 - k)], [joined]);
        }

        return joined;
    }

    /// <summary>Columns <paramref name="start"/> to M - <paramref name="fromEnd"/> of a [B, M] tensor; Slice clamps the negative end to 0 when M is smaller.</summary>
    private static string Slice(OnnxGraphBuilder graph, FusionNames names, string local, string data, int start, int fromEnd)
    {
        if (start == 0 && fromEnd == 0)
        {
            return data;
        }

        var starts = Constant(graph, names, $"start{start}", start);
        var ends = fromEnd == 0 ? Constant(graph, names, "end", long.MaxValue) : Constant(graph, names, $"end_minus{fromEnd}", -fromEnd);
        graph.AddNode("Slice", [data, starts, ends, Constant(graph, names, "axis1", 1)], [names[local]]);
        return names[local];
    }

    /// <summary>A [1] INT64 initializer, added on first use.</summary>
    private static string Constant(OnnxGraphBuilder graph, FusionNames names, string local, long value) =>
        graph.IsDefined(names[local]) ? names[local] : graph.AddInitializer(names[local], [value], 1);

    /// <summary>A string scalar initializer, added on first use.</summary>
    private static string Constant(OnnxGraphBuilder graph, FusionNames names, string local, string value) =>
        graph.IsDefined(names[local]) ? names[local] : graph.AddInitializer(names[local], [value]);

    private static string Join(OnnxGraphBuilder graph, FusionNames names, string local, List<string> parts)
    {
        if (parts.Count == 1)
        {
            return parts[0];
        }

        graph.AddNode("Concat", [.. parts], [names[local]], OnnxAttribute.Int("axis", 1));
        return names[local];
    }

    /// <summary>output[b, bucket] = the sum of counts[b, i] over the i with bucket_of[b, i] = bucket.</summary>
    private static void Count(OnnxGraphBuilder graph, FusionNames names, string tokens, string bucketOf, string counts, int buckets, string output)
    {
        graph.AddNode("Shape", [tokens], [names["batch"]], OnnxAttribute.Int("start", 0), OnnxAttribute.Int("end", 1));
        graph.AddNode("Concat", [names["batch"], graph.AddInitializer(names["bucket_count"], [(long)buckets], 1)], [names["output_shape"]], OnnxAttribute.Int("axis", 0));
        // Without a value attribute, ConstantOfShape fills FP32 zeros.
        graph.AddNode("ConstantOfShape", [names["output_shape"]], [names["zeros"]]);
        graph.AddNode("ScatterElements", [names["zeros"], bucketOf, counts], [output],
            OnnxAttribute.Int("axis", 1), OnnxAttribute.String("reduction", "add"));
    }
}
