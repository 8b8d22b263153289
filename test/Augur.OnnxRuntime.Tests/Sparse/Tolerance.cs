namespace Augur.OnnxRuntime.Tests.Sparse;

/// <summary>How close a sparse head's results must be to ONNX Runtime's dense ones (design note 0017).</summary>
internal static class Tolerance
{
    /// <summary>|Δ| ≤ 1e-5 × |expected| + 1e-6, element by element.</summary>
    public static void AssertClose(IReadOnlyList<float> expected, IReadOnlyList<float> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= (1e-5 * Math.Abs(expected[i])) + 1e-6, $"element {i}: {actual[i]} is not within tolerance of {expected[i]}");
        }
    }
}
