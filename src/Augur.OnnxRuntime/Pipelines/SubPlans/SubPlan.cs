using System.Security.Cryptography;
using System.Text;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Pipelines;

/// <summary>
/// The part of a validated pipeline that other pipelines can share (design note 0016): its <em>prefix</em>, the
/// featurizer steps that read only pipeline inputs and the prefix's own tensors. Each prefix step gets a fingerprint
/// from its kind, its canonical settings and the fingerprints of what it reads (a pipeline input by its datatype and
/// row shape, not its name; a prefix tensor by its step's fingerprint), so equal fingerprints compute the same
/// function of the same kind of data, whatever the pipelines call their tensors.
/// </summary>
internal static class SubPlan
{
    /// <summary>Each prefix step's name and fingerprint, in execution order.</summary>
    public static IReadOnlyList<(FeaturizerStep Step, string Fingerprint)> Prefix(PipelinePlan plan) => Walk(plan).Prefix;

    /// <summary>
    /// The fingerprint of <paramref name="featurization"/> (a sparse head's input, design note 0017) when it reads only
    /// pipeline inputs and prefix tensors, or null: its function of its leaves and what each leaf is, marked sparse, so
    /// it never equals a dense step's.
    /// </summary>
    public static string? SparseFingerprint(PipelinePlan plan, Sparse.SparseFeaturization featurization)
    {
        var known = Walk(plan).Known;
        return featurization.Leaves.All(known.ContainsKey)
            ? Fingerprint($"sparse rows {featurization.Description} ({string.Join(", ", featurization.Leaves.Select(l => known[l]))})")
            : null;
    }

    private static (List<(FeaturizerStep, string)> Prefix, Dictionary<string, string> Known) Walk(PipelinePlan plan)
    {
        var known = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var input in plan.Signature.Inputs)
        {
            known.Add(input.Name, $"input {input.DataType.Name()} {TensorShape.Format(input.Shape.AsSpan(1))}");
        }

        var prefix = new List<(FeaturizerStep, string)>();
        foreach (var step in plan.Order)
        {
            if (step is FeaturizerStep featurizer && featurizer.Inputs.All(known.ContainsKey))
            {
                var fingerprint = Fingerprint($"{featurizer.Featurizer.Kind} {featurizer.Settings} ({string.Join(", ", featurizer.Inputs.Select(i => known[i]))})");
                known.Add(featurizer.Output, fingerprint);
                prefix.Add((featurizer, fingerprint));
            }
        }

        return (prefix, known);
    }

    private static string Fingerprint(string identity) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)).AsSpan(0, 8));
}
