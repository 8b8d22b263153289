namespace Augur.OnnxRuntime.Fusion;

/// <summary>
/// The names a featurizer or merged graph gives its own values in the fused graph: <c>{prefix}/{local}</c>, so that
/// many steps live in one graph without clashing. A step's prefix is its name in the pipeline.
/// </summary>
internal readonly record struct FusionNames
{
    public FusionNames(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        Prefix = prefix;
    }

    public string Prefix { get; }

    public string this[string local] => $"{Prefix}/{local}";
}
