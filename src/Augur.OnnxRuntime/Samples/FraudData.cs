namespace Augur.OnnxRuntime.Samples;

/// <summary>
/// Synthetic card transactions for the <c>fraud</c> sample model, and the known rule that labels them.
/// </summary>
/// <remarks>
/// A feature row has <see cref="FeatureCount"/> values, in this order:
/// <list type="number">
/// <item><description><c>amount_z</c>: the transaction amount as a z-score against the customer's history.</description></item>
/// <item><description><c>is_foreign</c>: 1 when the merchant is in another country, else 0.</description></item>
/// <item><description><c>account_age_z</c>: the account's age as a z-score (new accounts are negative).</description></item>
/// <item><description><c>transactions_last_hour_z</c>: the number of transactions in the last hour, as a z-score.</description></item>
/// <item><description><c>is_night</c>: 1 between midnight and 6 a.m. local time, else 0.</description></item>
/// <item><description><c>card_present</c>: 1 when the card was physically present, else 0.</description></item>
/// <item><description><c>distance_from_home_z</c>: the distance from the cardholder's home as a z-score.</description></item>
/// <item><description><c>merchant_risk</c>: the merchant's risk score, 0 (safe) to 1 (risky).</description></item>
/// </list>
/// About 15–20% of generated rows are fraudulent.
/// </remarks>
public static class FraudData
{
    /// <summary>Values per feature row.</summary>
    public const int FeatureCount = 8;

    /// <summary>The seed of the rows the sample model is trained on; evaluate on rows from another seed.</summary>
    public const int TrainingSeed = 1729;

    /// <summary>The ground truth: whether a transaction with these features is fraudulent.</summary>
    /// <remarks>
    /// A linear score plus one interaction (foreign and at night together are riskier than each alone),
    /// so a small MLP can learn it almost exactly.
    /// </remarks>
    public static bool IsFraud(ReadOnlySpan<float> features)
    {
        if (features.Length != FeatureCount)
        {
            throw new ArgumentException($"A fraud feature row has {FeatureCount} values, not {features.Length}.", nameof(features));
        }

        var score = (1.4f * features[0])
            + (1.3f * features[1])
            - (0.9f * features[2])
            + (1.1f * features[3])
            + (0.6f * features[4])
            - (1.2f * features[5])
            + (0.7f * features[6])
            + (2.2f * features[7])
            + (1.0f * features[1] * features[4]);
        return score >= 3.0f;
    }

    /// <summary>Generates <paramref name="count"/> feature rows; the same seed always gives the same rows.</summary>
    public static float[][] Generate(int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var random = new Random(seed);
        var rows = new float[count][];
        for (var i = 0; i < count; i++)
        {
            rows[i] =
            [
                (float)DeterministicMath.NextNormal(random),
                Bernoulli(random, 0.12),
                (float)DeterministicMath.NextNormal(random),
                (float)DeterministicMath.NextNormal(random),
                Bernoulli(random, 0.25),
                Bernoulli(random, 0.55),
                (float)DeterministicMath.NextNormal(random),
                (float)random.NextDouble(),
            ];
        }

        return rows;
    }

    private static float Bernoulli(Random random, double p) => random.NextDouble() < p ? 1f : 0f;
}
