namespace Augur.OnnxRuntime.Samples;

/// <summary>
/// Synthetic food deliveries for the <c>delivery_eta</c> sample model, and the known function that times them.
/// </summary>
/// <remarks>
/// A feature row has <see cref="FeatureCount"/> values, in this order:
/// <list type="number">
/// <item><description><c>distance_km</c>: restaurant to customer, 0.3 to 12 km.</description></item>
/// <item><description><c>item_count</c>: items in the order, a whole number 1 to 10.</description></item>
/// <item><description><c>hour_of_day</c>: local hour the order was placed, a whole number 0 to 23.</description></item>
/// <item><description><c>is_raining</c>: 1 when it is raining, else 0.</description></item>
/// </list>
/// </remarks>
public static class DeliveryData
{
    /// <summary>Values per feature row.</summary>
    public const int FeatureCount = 4;

    /// <summary>The seed of the rows the sample model is fitted to; evaluate on rows from another seed.</summary>
    public const int TrainingSeed = 4242;

    /// <summary>Standard deviation, in minutes, of the noise <see cref="Generate"/> adds to the true ETA.</summary>
    public const float NoiseMinutes = 1.0f;

    /// <summary>
    /// The noise-free delivery time in minutes: a base of 12, 2.4 per km, 0.9 per item, 8 more at the
    /// lunch (11:00–14:00) and dinner (17:00–21:00) rush, and in rain 3 more plus 0.6 per km.
    /// </summary>
    public static float EtaMinutes(ReadOnlySpan<float> features)
    {
        if (features.Length != FeatureCount)
        {
            throw new ArgumentException($"A delivery feature row has {FeatureCount} values, not {features.Length}.", nameof(features));
        }

        var distance = features[0];
        var rain = features[3];
        return 12f
            + (2.4f * distance)
            + (0.9f * features[1])
            + (IsRushHour(features[2]) ? 8f : 0f)
            + (rain * (3f + (0.6f * distance)));
    }

    /// <summary>Whether <paramref name="hour"/> falls in the lunch or dinner rush.</summary>
    public static bool IsRushHour(float hour) => hour is >= 11f and < 14f or >= 17f and < 21f;

    /// <summary>
    /// Generates <paramref name="count"/> deliveries: their features and the observed minutes, which are
    /// <see cref="EtaMinutes"/> plus normal noise of <see cref="NoiseMinutes"/>. The same seed gives the same rows.
    /// </summary>
    public static (float[][] Features, float[] EtaMinutes) Generate(int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var random = new Random(seed);
        var features = new float[count][];
        var eta = new float[count];
        for (var i = 0; i < count; i++)
        {
            features[i] =
            [
                (float)(0.3 + (random.NextDouble() * 11.7)),
                random.Next(1, 11),
                random.Next(0, 24),
                random.NextDouble() < 0.2 ? 1f : 0f,
            ];
            eta[i] = EtaMinutes(features[i]) + (NoiseMinutes * (float)DeterministicMath.NextNormal(random));
        }

        return (features, eta);
    }
}
