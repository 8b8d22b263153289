using System.Diagnostics.CodeAnalysis;
using Augur.OnnxRuntime.Onnx.Proto;

namespace Augur.OnnxRuntime.Fusion;

/// <summary>
/// Whether a graph written for its own opset imports keeps its meaning in a fused graph that imports other versions:
/// the fused version of each domain must be at least the graph's, and every operator the graph uses (in subgraphs too)
/// must not have changed between the two (<see cref="OperatorChanges"/>). Domains without a table there must have the
/// same version in both.
/// </summary>
internal static class OpsetCompatibility
{
    /// <summary>The model's imports, by normalized domain; false when a domain is imported twice at different versions.</summary>
    public static bool TryReadImports(ModelProto model, [NotNullWhen(true)] out SortedDictionary<string, long>? imports, [NotNullWhen(false)] out string? problem)
    {
        imports = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var opset in model.OpsetImport)
        {
            var domain = OnnxDomains.Normalize(opset.Domain);
            if (imports.TryGetValue(domain, out var other) && other != opset.Version)
            {
                problem = $"the graph imports {OnnxDomains.Display(domain)} twice, at versions {other} and {opset.Version}";
                imports = null;
                return false;
            }

            imports[domain] = opset.Version;
        }

        problem = null;
        return true;
    }

    public static bool TryCheck(ModelProto model, IReadOnlyDictionary<string, long> fused, [NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(fused);
        if (!TryReadImports(model, out var imports, out problem))
        {
            return false;
        }

        foreach (var (domain, version) in imports)
        {
            if (!fused.TryGetValue(domain, out var fusedVersion))
            {
                problem = $"the graph imports {OnnxDomains.Display(domain)} {version}, which the fused graph does not import";
                return false;
            }

            if (fusedVersion < version)
            {
                problem = $"the graph needs {OnnxDomains.Display(domain)} {version} but the fused graph imports {fusedVersion}";
                return false;
            }

            if (fusedVersion != version && !OperatorChanges.HasTable(domain))
            {
                problem = $"the graph imports {domain} {version} and the fused graph {fusedVersion}; versions of {domain} are shared only when equal";
                return false;
            }
        }

        return model.Graph is null || TryCheckNodes(model.Graph, imports, fused, out problem);
    }

    private static bool TryCheckNodes(GraphProto graph, SortedDictionary<string, long> imports, IReadOnlyDictionary<string, long> fused, [NotNullWhen(false)] out string? problem)
    {
        foreach (var node in graph.Node)
        {
            var domain = OnnxDomains.Normalize(node.Domain);
            if (!imports.TryGetValue(domain, out var version))
            {
                problem = $"node '{node.Name}' ({node.OpType}) is of domain {OnnxDomains.Display(domain)}, which the graph does not import";
                return false;
            }

            var fusedVersion = fused[domain];
            if (fusedVersion != version && !SameSchema(domain, node.OpType, version, fusedVersion, out problem))
            {
                return false;
            }

            foreach (var attribute in node.Attribute)
            {
                foreach (var subgraph in Subgraphs(attribute))
                {
                    if (!TryCheckNodes(subgraph, imports, fused, out problem))
                    {
                        return false;
                    }
                }
            }
        }

        problem = null;
        return true;
    }

    private static bool SameSchema(string domain, string opType, long version, long fusedVersion, [NotNullWhen(false)] out string? problem)
    {
        var name = OnnxDomains.Display(domain);
        if (!OperatorChanges.TryGet(domain, opType, out var changes))
        {
            problem = $"{opType} is not an operator of {name} known to Augur, so it cannot tell whether it means the same at opset {version} (the graph's) and {fusedVersion} (the fused graph's)";
            return false;
        }

        var atGraph = Latest(changes, version);
        var atFused = Latest(changes, fusedVersion);
        if (atGraph is null)
        {
            problem = $"{opType} does not exist at {name} opset {version}, which the graph imports (it was added at {changes[0]})";
            return false;
        }

        if (atGraph != atFused)
        {
            problem = $"{opType} changed at {name} opset {atFused}: the graph was written for opset {version} and the fused graph imports {fusedVersion}; export the graph at opset {fusedVersion}";
            return false;
        }

        problem = null;
        return true;
    }

    private static int? Latest(int[] changes, long version)
    {
        int? latest = null;
        foreach (var change in changes)
        {
            if (change <= version)
            {
                latest = change;
            }
        }

        return latest;
    }

    internal static IEnumerable<GraphProto> Subgraphs(AttributeProto attribute)
    {
        if (attribute.G is not null)
        {
            yield return attribute.G;
        }

        foreach (var graph in attribute.Graphs)
        {
            yield return graph;
        }
    }
}
