namespace Augur.Bench.Targets;

/// <summary>A target that can address another model of the same server, sharing its connections (or engine).</summary>
public interface IMultiModelTarget
{
    /// <summary>A target for <paramref name="model"/> (its latest version) on the same server; disposing it leaves this one's connections open.</summary>
    IBenchTarget ForModel(string model);
}
