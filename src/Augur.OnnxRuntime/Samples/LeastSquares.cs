namespace Augur.OnnxRuntime.Samples;

/// <summary>Ordinary least squares by the normal equations, solved with Gaussian elimination in double precision.</summary>
internal static class LeastSquares
{
    /// <summary>The coefficients β minimising |Xβ − y|², where each row of X is <paramref name="design"/>[n].</summary>
    public static double[] Fit(double[][] design, double[] targets)
    {
        ArgumentNullException.ThrowIfNull(design);
        ArgumentNullException.ThrowIfNull(targets);
        if (design.Length == 0 || design.Length != targets.Length)
        {
            throw new ArgumentException("Fitting needs at least one row and one target per row.", nameof(targets));
        }

        var p = design[0].Length;
        var a = new double[p, p];
        var b = new double[p];
        for (var n = 0; n < design.Length; n++)
        {
            var row = design[n];
            for (var i = 0; i < p; i++)
            {
                b[i] += row[i] * targets[n];
                for (var j = 0; j < p; j++)
                {
                    a[i, j] += row[i] * row[j];
                }
            }
        }

        return Solve(a, b);
    }

    private static double[] Solve(double[,] a, double[] b)
    {
        var p = b.Length;
        for (var col = 0; col < p; col++)
        {
            var pivot = col;
            for (var r = col + 1; r < p; r++)
            {
                if (Math.Abs(a[r, col]) > Math.Abs(a[pivot, col]))
                {
                    pivot = r;
                }
            }

            if (a[pivot, col] == 0)
            {
                throw new InvalidOperationException("The design matrix is singular; a feature is constant or duplicated.");
            }

            SwapRows(a, b, col, pivot);
            for (var r = col + 1; r < p; r++)
            {
                var factor = a[r, col] / a[col, col];
                for (var c = col; c < p; c++)
                {
                    a[r, c] -= factor * a[col, c];
                }

                b[r] -= factor * b[col];
            }
        }

        var x = new double[p];
        for (var r = p - 1; r >= 0; r--)
        {
            var sum = b[r];
            for (var c = r + 1; c < p; c++)
            {
                sum -= a[r, c] * x[c];
            }

            x[r] = sum / a[r, r];
        }

        return x;
    }

    private static void SwapRows(double[,] a, double[] b, int i, int j)
    {
        if (i == j)
        {
            return;
        }

        for (var c = 0; c < b.Length; c++)
        {
            (a[i, c], a[j, c]) = (a[j, c], a[i, c]);
        }

        (b[i], b[j]) = (b[j], b[i]);
    }
}
