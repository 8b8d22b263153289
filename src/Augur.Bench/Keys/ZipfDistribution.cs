using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Augur.Bench.Keys;

/// <summary>
/// Zipf's law over the ids 0 to <see cref="Count"/> − 1: id k has probability (k + 1)^−s / H(N, s), with
/// H(N, s) = Σ_{j=1..N} j^−s, so id 0 is the most popular. s = 0 is uniform. A draw inverts the cumulative
/// distribution, held as a table of N doubles (8 bytes per id) and searched by bisection: exact but for double
/// rounding, O(log N) per draw. Written <c>zipf:S:N</c>, e.g. <c>zipf:1.1:1000000</c>.
/// </summary>
public sealed class ZipfDistribution
{
    /// <summary>The most ids a distribution may have: its table then takes 80 MB.</summary>
    public const int MaxCount = 10_000_000;

    private readonly double[] _cumulative;
    private readonly double _total;

    /// <summary>Builds the table for exponent <paramref name="exponent"/> (finite, ≥ 0) over <paramref name="count"/> ids (1 to <see cref="MaxCount"/>).</summary>
    public ZipfDistribution(double exponent, int count)
    {
        if (!double.IsFinite(exponent) || exponent < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(exponent), exponent, "the exponent must be finite and at least 0");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxCount);
        Exponent = exponent;
        Count = count;
        _cumulative = new double[count];

        // Neumaier's compensated sum, so that a million small terms added to a large total lose nothing measurable.
        double sum = 0, compensation = 0;
        for (var k = 0; k < count; k++)
        {
            var term = Math.Pow(k + 1, -exponent);
            var next = sum + term;
            compensation += Math.Abs(sum) >= term ? (sum - next) + term : (term - next) + sum;
            sum = next;
            _cumulative[k] = sum + compensation;
        }

        _total = _cumulative[count - 1];
        for (var k = 0; k < count; k++)
        {
            _cumulative[k] /= _total;
        }

        // Every u in [0, 1) then falls on an id, whatever the rounding of the last quotient.
        _cumulative[count - 1] = 1.0;
    }

    /// <summary>The exponent s.</summary>
    public double Exponent { get; }

    /// <summary>The number of ids N.</summary>
    public int Count { get; }

    /// <summary>How the distribution is written: <c>zipf:S:N</c>.</summary>
    public string Spec => string.Create(CultureInfo.InvariantCulture, $"zipf:{Exponent:R}:{Count}");

    /// <summary>Parses <c>zipf:S:N</c> (S a number ≥ 0, N an integer from 1 to <see cref="MaxCount"/>), or says what is wrong.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out ZipfDistribution? distribution, [NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        distribution = null;
        var parts = text.Split(':');
        if (parts.Length != 3 || parts[0] != "zipf")
        {
            problem = $"'{text}' is not zipf:S:N (e.g. zipf:1.1:1000000: exponent 1.1 over the ids 0..999999)";
            return false;
        }

        if (!double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var exponent) || !double.IsFinite(exponent) || exponent < 0)
        {
            problem = $"'{text}': the exponent '{parts[1]}' is not a number ≥ 0";
            return false;
        }

        if (!int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1 || count > MaxCount)
        {
            problem = $"'{text}': the id count '{parts[2]}' is not an integer from 1 to {MaxCount.ToString("N0", CultureInfo.InvariantCulture)}";
            return false;
        }

        distribution = new ZipfDistribution(exponent, count);
        problem = null;
        return true;
    }

    /// <summary>The id whose share of [0, 1) holds <paramref name="unit"/>: the smallest k with F(k) &gt; u.</summary>
    public int Sample(double unit)
    {
        if (!(unit >= 0 && unit < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(unit), unit, "a draw needs a value in [0, 1)");
        }

        int low = 0, high = Count - 1;
        while (low < high)
        {
            var middle = (int)((uint)(low + high) >> 1);
            if (_cumulative[middle] > unit)
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        return low;
    }

    /// <summary>The probability of id <paramref name="id"/>, from the closed form (a difference of the table would lose digits in the tail).</summary>
    public double Probability(int id)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, Count);
        return Math.Pow(id + 1, -Exponent) / _total;
    }

    /// <summary>The share of draws that fall on the <paramref name="top"/> most popular ids, 0 to <paramref name="top"/> − 1.</summary>
    public double TopShare(int top)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(top);
        return top == 0 ? 0 : _cumulative[Math.Min(top, Count) - 1];
    }
}
