namespace Augur.Tensors;

/// <summary>Shape arithmetic with overflow checks; a dimension of -1 means "any size" in model signatures.</summary>
public static class TensorShape
{
    /// <summary>The largest element count a tensor may have (an <see cref="int"/> index reaches every element).</summary>
    public const long MaxElements = int.MaxValue;

    /// <summary>
    /// Multiplies the dimensions of a concrete shape. Fails when a dimension is negative or the product
    /// exceeds <see cref="MaxElements"/>; the message names the problem.
    /// </summary>
    public static bool TryGetElementCount(ReadOnlySpan<long> shape, out long count, out string? problem)
    {
        count = 1;
        foreach (var dim in shape)
        {
            if (dim < 0)
            {
                problem = $"shape {Format(shape)} has a negative dimension ({dim})";
                count = 0;
                return false;
            }
        }

        if (shape.Contains(0L))
        {
            // An empty tensor is empty whatever its other dimensions; only non-empty shapes can overflow.
            count = 0;
            problem = null;
            return true;
        }

        foreach (var dim in shape)
        {
            if (count > MaxElements / dim)
            {
                problem = $"shape {Format(shape)} has more than {MaxElements} elements";
                count = 0;
                return false;
            }

            count *= dim;
        }

        problem = null;
        return true;
    }

    /// <summary>True when <paramref name="actual"/> fits <paramref name="expected"/>, where -1 in expected matches any size.</summary>
    public static bool Matches(ReadOnlySpan<long> expected, ReadOnlySpan<long> actual)
    {
        if (expected.Length != actual.Length)
        {
            return false;
        }

        for (var i = 0; i < expected.Length; i++)
        {
            if (expected[i] != -1 && expected[i] != actual[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Formats a shape as the protocol writes it, e.g. <c>[-1,3]</c>.</summary>
    public static string Format(ReadOnlySpan<long> shape) => "[" + string.Join(",", shape.ToArray()) + "]";
}
