using System.Diagnostics.CodeAnalysis;
using Augur.OnnxRuntime.Onnx;
using Augur.OnnxRuntime.Onnx.Proto;

namespace Augur.OnnxRuntime.Fusion;

/// <summary>
/// Appends an ONNX graph to a fused graph under construction (design note 0014): its values are renamed
/// <c>{prefix}/{name}</c>, its mapped inputs read the fused graph's tensors, its chosen outputs are written under the
/// given names, and everything else of it stays private to it. Subgraphs (If, Loop, Scan) are renamed with it.
/// </summary>
/// <remarks>
/// Nothing is appended when the graph is refused. Refused: a model without a graph, model-local functions, an
/// operator set the fused graph does not import at a version that keeps the graph's meaning
/// (<see cref="OpsetCompatibility"/>; choose them first with <see cref="FusedOpsets"/>), an input that is neither
/// mapped nor an initializer, a mapping that names no input or output of the graph, a mapped tensor the fused graph does
/// not define yet (append in data-flow order), an output name the fused graph already defines, and a subgraph that
/// redefines a name of an enclosing graph (ONNX forbids it; renaming would hide it). Initializers keep their bytes, so
/// the shared-weight store finds them identical across fused graphs. Types are not checked here: the pipeline's
/// validation compares them, and ONNX Runtime checks them when it loads the fused graph.
/// </remarks>
internal static class GraphMerger
{
    /// <param name="target">The fused graph.</param>
    /// <param name="model">The graph to append, as parsed from its file.</param>
    /// <param name="prefix">The prefix of its values and nodes (its step's name).</param>
    /// <param name="inputs">Each graph input's tensor in the fused graph. An input with an initializer may be left out; it keeps its value.</param>
    /// <param name="outputs">Each graph output to keep, and its name in the fused graph. Others become private values.</param>
    /// <param name="exposed">The kept outputs' types under their fused names, in the order of <paramref name="outputs"/>, for the caller to declare as graph outputs or not.</param>
    /// <param name="problem">Why the graph was refused.</param>
    public static bool TryAppend(OnnxGraphBuilder target, ModelProto model, string prefix,
        IReadOnlyDictionary<string, string> inputs, IReadOnlyDictionary<string, string> outputs,
        [NotNullWhen(true)] out IReadOnlyList<ValueInfoProto>? exposed, [NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        var names = new FusionNames(prefix);
        exposed = null;
        if (model.Graph is not { } graph)
        {
            problem = "the model has no graph";
            return false;
        }

        if (model.Functions.Count > 0)
        {
            problem = $"the model defines functions ({string.Join(", ", model.Functions.Select(f => f.Name))}); graphs with model-local functions are not fused";
            return false;
        }

        if (!TryFuseOpsets(target, model, out var newDomains, out problem)
            || !TryPlan(target, graph, names, inputs, outputs, out var plan, out problem)
            || !TryCheckScopes(graph, out problem))
        {
            return false;
        }

        foreach (var (domain, version) in newDomains)
        {
            target.ImportOpset(domain, version);
        }

        target.RequireIrVersion(model.IrVersion);
        var renamer = new GraphRenamer(plan.Rename, names.Prefix);
        foreach (var tensor in graph.Initializer.Where(t => !plan.Replaced.Contains(t.Name)))
        {
            target.AddInitializer(renamer.Initializer(tensor));
        }

        foreach (var tensor in graph.SparseInitializer.Where(t => !plan.Replaced.Contains(t.Values.Name)))
        {
            target.AddSparseInitializer(renamer.SparseInitializer(tensor));
        }

        foreach (var node in graph.Node)
        {
            target.AddNode(renamer.Node(node));
        }

        foreach (var (output, name) in plan.PassedThrough)
        {
            // A graph output that is an input or an initializer is produced by no node to rename, so one copies it.
            target.AddNode("Identity", [plan.Rename(output)], [name]);
        }

        // What is known of a mapped input is the fused graph's to say.
        foreach (var valueInfo in graph.ValueInfo.Where(v => !inputs.ContainsKey(v.Name)))
        {
            target.AddValueInfo(renamer.ValueInfo(valueInfo));
        }

        var byName = graph.Output.ToDictionary(o => o.Name, StringComparer.Ordinal);
        exposed = outputs.Select(o => GraphRenamer.ValueInfo(byName[o.Key], o.Value)).ToList();
        return true;
    }

    private static bool TryFuseOpsets(OnnxGraphBuilder target, ModelProto model, out List<(string Domain, long Version)> newDomains, [NotNullWhen(false)] out string? problem)
    {
        newDomains = [];
        if (!OpsetCompatibility.TryReadImports(model, out var imports, out problem))
        {
            return false;
        }

        // A domain the fused graph does not import yet is imported at the graph's version.
        var fused = new Dictionary<string, long>(target.Opsets, StringComparer.Ordinal);
        foreach (var (domain, version) in imports)
        {
            if (fused.TryAdd(domain, version))
            {
                newDomains.Add((domain, version));
            }
        }

        return OpsetCompatibility.TryCheck(model, fused, out problem);
    }

    private sealed record Plan(Func<string, string> Rename, HashSet<string> Replaced, List<(string Output, string Name)> PassedThrough);

    private static bool TryPlan(OnnxGraphBuilder target, GraphProto graph, FusionNames names,
        IReadOnlyDictionary<string, string> inputs, IReadOnlyDictionary<string, string> outputs,
        [NotNullWhen(true)] out Plan? plan, [NotNullWhen(false)] out string? problem)
    {
        plan = null;
        var graphInputs = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var initializers = graph.Initializer.Select(t => t.Name).Concat(graph.SparseInitializer.Select(t => t.Values.Name)).ToHashSet(StringComparer.Ordinal);
        var graphOutputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);

        foreach (var (input, tensor) in inputs)
        {
            if (!graphInputs.Contains(input))
            {
                problem = $"the graph has no input '{input}'; its inputs are {List(graph.Input.Select(i => i.Name))}";
                return false;
            }

            if (!target.IsDefined(tensor))
            {
                problem = $"input '{input}' is mapped to '{tensor}', which the fused graph does not define (yet)";
                return false;
            }
        }

        var unmapped = graph.Input.Select(i => i.Name).Where(i => !inputs.ContainsKey(i) && !initializers.Contains(i)).ToList();
        if (unmapped.Count > 0)
        {
            problem = $"input{(unmapped.Count == 1 ? "" : "s")} {List(unmapped)} of the graph {(unmapped.Count == 1 ? "is" : "are")} not mapped to a tensor of the fused graph";
            return false;
        }

        var fusedOutputs = new HashSet<string>(StringComparer.Ordinal);
        var passedThrough = new List<(string, string)>();
        var renamedOutputs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (output, name) in outputs)
        {
            if (!graphOutputs.Contains(output))
            {
                problem = $"the graph has no output '{output}'; its outputs are {List(graph.Output.Select(o => o.Name))}";
                return false;
            }

            if (target.IsDefined(name) || !fusedOutputs.Add(name))
            {
                problem = $"output '{output}' would define '{name}', which the fused graph already defines";
                return false;
            }

            if (graphInputs.Contains(output) || initializers.Contains(output))
            {
                passedThrough.Add((output, name));
            }
            else
            {
                renamedOutputs[output] = name;
            }
        }

        string Rename(string name) =>
            inputs.TryGetValue(name, out var tensor) ? tensor
            : renamedOutputs.TryGetValue(name, out var output) ? output
            : names[name];

        var defined = graph.Node.SelectMany(n => n.Output).Where(o => o.Length > 0)
            .Concat(initializers.Where(i => !inputs.ContainsKey(i)))
            .Select(Rename)
            .Where(target.IsDefined)
            .ToList();
        if (defined.Count > 0)
        {
            problem = $"the fused graph already defines {List(defined.Distinct())}; give each graph its own prefix";
            return false;
        }

        plan = new Plan(Rename, inputs.Keys.Where(initializers.Contains).ToHashSet(StringComparer.Ordinal), passedThrough);
        problem = null;
        return true;
    }

    /// <summary>Refuses a subgraph that defines a name its enclosing graphs define: one renaming could not keep the two apart.</summary>
    private static bool TryCheckScopes(GraphProto graph, [NotNullWhen(false)] out string? problem) =>
        TryCheckScopes(graph, new HashSet<string>(StringComparer.Ordinal), out problem);

    private static bool TryCheckScopes(GraphProto graph, HashSet<string> enclosing, [NotNullWhen(false)] out string? problem)
    {
        var scope = new HashSet<string>(enclosing, StringComparer.Ordinal);
        var own = graph.Input.Select(i => i.Name)
            .Concat(graph.Initializer.Select(t => t.Name))
            .Concat(graph.SparseInitializer.Select(t => t.Values.Name))
            .Concat(graph.Node.SelectMany(n => n.Output).Where(o => o.Length > 0));
        foreach (var name in own)
        {
            if (enclosing.Contains(name))
            {
                problem = $"subgraph '{graph.Name}' redefines '{name}' of an enclosing graph";
                return false;
            }

            scope.Add(name);
        }

        foreach (var node in graph.Node)
        {
            foreach (var subgraph in node.Attribute.SelectMany(OpsetCompatibility.Subgraphs))
            {
                if (!TryCheckScopes(subgraph, scope, out problem))
                {
                    return false;
                }
            }
        }

        problem = null;
        return true;
    }

    private static string List(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));
}
