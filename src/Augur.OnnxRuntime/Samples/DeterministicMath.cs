namespace Augur.OnnxRuntime.Samples;

/// <summary>
/// The few transcendental helpers the sample models need, built only from IEEE 754 basic operations.
/// </summary>
/// <remarks>
/// <see cref="Math.Exp"/>, <see cref="Math.Log(double)"/> and <see cref="Math.Cos"/> come from the platform's C
/// runtime and may differ in the last bit between operating systems, which would change trained weights
/// and so the bytes of the sample models. Basic arithmetic, <see cref="Math.Sqrt"/> and
/// <see cref="Math.ScaleB"/> are exactly specified, so these results are the same everywhere.
/// </remarks>
internal static class DeterministicMath
{
    private const double Ln2 = 0.6931471805599453;

    // ln 2 split as in fdlibm: the high part has trailing zero bits, so k * Ln2High is exact for any k
    // an exponent can take, and the reduction x − k·ln2 loses nothing even for large |x|.
    private const double Ln2High = 6.93147180369123816490e-01;
    private const double Ln2Low = 1.90821492927058770002e-10;

    /// <summary>e^x to within a few ulps.</summary>
    public static double Exp(double x)
    {
        if (double.IsNaN(x))
        {
            return x;
        }

        if (x > 709)
        {
            return double.PositiveInfinity;
        }

        if (x < -745)
        {
            return 0;
        }

        // e^x = 2^k * e^r with |r| <= ln2/2, where the Taylor series converges fast.
        var k = Math.Round(x / Ln2);
        var r = (x - (k * Ln2High)) - (k * Ln2Low);
        double term = 1, sum = 1;
        for (var i = 1; i <= 16; i++)
        {
            term *= r / i;
            sum += term;
        }

        return Math.ScaleB(sum, (int)k);
    }

    /// <summary>The logistic function 1 / (1 + e^-x).</summary>
    public static double Sigmoid(double x) => 1 / (1 + Exp(-x));

    /// <summary>
    /// An approximately standard normal sample: the Irwin–Hall sum of twelve uniforms, minus six.
    /// Bounded to ±6, which suits synthetic data and weight initialisation.
    /// </summary>
    public static double NextNormal(Random random)
    {
        double sum = 0;
        for (var i = 0; i < 12; i++)
        {
            sum += random.NextDouble();
        }

        return sum - 6;
    }
}
