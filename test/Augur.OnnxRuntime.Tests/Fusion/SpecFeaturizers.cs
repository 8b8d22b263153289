using System.Text;

namespace Augur.OnnxRuntime.Tests.Fusion;

/// <summary>
/// The featurizers exactly as the pipeline spec states them, computed row by row in C#, with no ONNX involved: what
/// the fused graphs are checked against. Arrays are row-major [B, ...].
/// </summary>
internal static class SpecFeaturizers
{
    public static readonly char[] AsciiWhitespace = [' ', '\t', '\r', '\n'];

    public static float[] Scale(float[] x, int columns, float[] offset, float[] scale) =>
        x.Select((value, i) => (value - offset[i % columns]) * scale[i % columns]).ToArray();

    public static float[] OneHot<T>(T[] values, T[] categories) where T : notnull =>
        values.SelectMany(v => categories.Select(c => c.Equals(v) ? 1f : 0f)).ToArray();

    public static long[] HashBuckets(string[] values, long buckets, uint seed) =>
        values.Select(v => Murmur3.Hash(Encoding.UTF8.GetBytes(v), seed) % buckets).Select(b => (long)b).ToArray();

    public static float[] TextNgrams(string[] rows, int buckets, int ngramMin, int ngramMax, bool lowercase, uint seed)
    {
        var features = new float[rows.Length * buckets];
        for (var row = 0; row < rows.Length; row++)
        {
            var text = lowercase ? LowerAscii(rows[row]) : rows[row];
            var tokens = text.Split(AsciiWhitespace, StringSplitOptions.RemoveEmptyEntries);
            for (var n = ngramMin; n <= ngramMax; n++)
            {
                for (var start = 0; start + n <= tokens.Length; start++)
                {
                    var gram = string.Join(' ', tokens, start, n);
                    features[(row * buckets) + (Murmur3.Hash(Encoding.UTF8.GetBytes(gram), seed) % (uint)buckets)] += 1;
                }
            }
        }

        return features;
    }

    /// <summary>The spec's lower-casing: A–Z become a–z, every other character stays.</summary>
    public static string LowerAscii(string text) => string.Concat(text.Select(c => c is >= 'A' and <= 'Z' ? (char)(c + ('a' - 'A')) : c));

    public static float[] Concat(int rows, params (float[] Values, int Columns)[] parts)
    {
        var result = new List<float>();
        for (var row = 0; row < rows; row++)
        {
            foreach (var (values, columns) in parts)
            {
                result.AddRange(values.AsSpan(row * columns, columns).ToArray());
            }
        }

        return result.ToArray();
    }
}
