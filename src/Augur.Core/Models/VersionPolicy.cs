namespace Augur.Models;

/// <summary>Which of a model's version folders are served (Triton's version_policy).</summary>
public abstract record VersionPolicy
{
    /// <summary>The default: the highest-numbered version only.</summary>
    public static VersionPolicy Default { get; } = new Latest(1);

    /// <summary>Chooses the versions to load from those present, highest first.</summary>
    public abstract IReadOnlyList<long> Select(IReadOnlyCollection<long> available);

    /// <summary>The <paramref name="Count"/> highest-numbered versions.</summary>
    public sealed record Latest(int Count) : VersionPolicy
    {
        /// <inheritdoc />
        public override IReadOnlyList<long> Select(IReadOnlyCollection<long> available) =>
            available.OrderDescending().Take(Count).ToArray();
    }

    /// <summary>Every version present.</summary>
    public sealed record All : VersionPolicy
    {
        /// <inheritdoc />
        public override IReadOnlyList<long> Select(IReadOnlyCollection<long> available) => available.OrderDescending().ToArray();
    }

    /// <summary>Exactly the listed versions (those missing on disk are reported as failed).</summary>
    public sealed record Specific(IReadOnlyList<long> Versions) : VersionPolicy
    {
        /// <inheritdoc />
        public override IReadOnlyList<long> Select(IReadOnlyCollection<long> available) => Versions.Distinct().OrderDescending().ToArray();
    }
}
