using System.Diagnostics.CodeAnalysis;
using Augur.OnnxRuntime.Onnx.Proto;

namespace Augur.OnnxRuntime.Fusion;

/// <summary>
/// Chooses the operator sets of a fused graph: for each domain the highest version any part needs (the featurizers'
/// minimums included), provided every graph keeps its meaning at those versions (<see cref="OpsetCompatibility"/>).
/// </summary>
internal static class FusedOpsets
{
    /// <param name="graphs">Each graph to merge, with the label problems name it by (its step).</param>
    /// <param name="minimums">Versions the fused graph needs besides the graphs', e.g. <see cref="FeaturizerOpsets.MinimumOpset"/> for the default domain.</param>
    /// <param name="opsets">The chosen version of each domain.</param>
    /// <param name="problem">Why no set of versions serves every graph, naming the graph.</param>
    public static bool TryChoose(IReadOnlyList<(string Label, ModelProto Model)> graphs, IReadOnlyDictionary<string, long> minimums,
        [NotNullWhen(true)] out SortedDictionary<string, long>? opsets, [NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(graphs);
        ArgumentNullException.ThrowIfNull(minimums);
        var chosen = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (domain, version) in minimums)
        {
            Raise(chosen, OnnxDomains.Normalize(domain), version);
        }

        foreach (var (label, model) in graphs)
        {
            if (!OpsetCompatibility.TryReadImports(model, out var imports, out var importProblem))
            {
                return Fail(label, importProblem, out opsets, out problem);
            }

            foreach (var (domain, version) in imports)
            {
                Raise(chosen, domain, version);
            }
        }

        foreach (var (label, model) in graphs)
        {
            if (!OpsetCompatibility.TryCheck(model, chosen, out var checkProblem))
            {
                return Fail(label, checkProblem, out opsets, out problem);
            }
        }

        opsets = chosen;
        problem = null;
        return true;
    }

    private static void Raise(SortedDictionary<string, long> chosen, string domain, long version)
    {
        if (!chosen.TryGetValue(domain, out var current) || current < version)
        {
            chosen[domain] = version;
        }
    }

    private static bool Fail(string label, string reason, out SortedDictionary<string, long>? opsets, out string problem)
    {
        opsets = null;
        problem = $"graph '{label}': {reason}";
        return false;
    }
}
