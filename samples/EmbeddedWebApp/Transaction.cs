namespace EmbeddedWebApp;

/// <summary>A card transaction as this app knows it: the inputs of the bundled fraud model, by name.</summary>
internal sealed record Transaction
{
    public required string Id { get; init; }

    /// <summary>The amount as a z-score against the customer's usual spending.</summary>
    public required float AmountZScore { get; init; }

    public required bool ForeignMerchant { get; init; }

    /// <summary>The account's age as a z-score (new accounts are negative).</summary>
    public required float AccountAgeZScore { get; init; }

    /// <summary>The customer's transactions in the last hour, as a z-score.</summary>
    public required float RecentTransactionsZScore { get; init; }

    /// <summary>Between midnight and 6 a.m. local time.</summary>
    public required bool AtNight { get; init; }

    public required bool CardPresent { get; init; }

    /// <summary>The distance from the cardholder's home as a z-score.</summary>
    public required float DistanceFromHomeZScore { get; init; }

    /// <summary>The merchant's risk score, from 0 (safe) to 1 (risky).</summary>
    public required float MerchantRisk { get; init; }

    /// <summary>Null when the transaction can be scored; otherwise what is wrong with it.</summary>
    public string? Problem() => MerchantRisk is >= 0 and <= 1 ? null : $"merchantRisk {MerchantRisk} must be from 0 to 1";

    /// <summary>The fraud model's eight features, in the model's order.</summary>
    public float[] Features() =>
    [
        AmountZScore, ForeignMerchant ? 1 : 0, AccountAgeZScore, RecentTransactionsZScore,
        AtNight ? 1 : 0, CardPresent ? 1 : 0, DistanceFromHomeZScore, MerchantRisk,
    ];
}
