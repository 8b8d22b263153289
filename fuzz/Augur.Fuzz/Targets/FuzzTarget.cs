using Augur.Fuzz.Engine;

namespace Augur.Fuzz.Targets;

/// <summary>
/// One decoder under test. <see cref="Run"/> returns how far an input went when the decoder handled it as it should
/// (a decoded request or a clear error) and throws otherwise: any escaping exception is a finding.
/// </summary>
internal abstract class FuzzTarget
{
    /// <summary>The target names the command line and the corpus folders use.</summary>
    public static IReadOnlyList<string> Names { get; } = [JsonRequestTarget.TargetName, GrpcRequestTarget.TargetName, MetadataTarget.TargetName];

    public abstract string Name { get; }

    public abstract FuzzOutcome Run(ReadOnlyMemory<byte> input);

    /// <summary>The target called <paramref name="name"/>, or null when there is none.</summary>
    public static FuzzTarget? Create(string name, FuzzEngine engine) => name switch
    {
        JsonRequestTarget.TargetName => new JsonRequestTarget(engine),
        GrpcRequestTarget.TargetName => new GrpcRequestTarget(engine),
        MetadataTarget.TargetName => new MetadataTarget(),
        _ => null,
    };
}
