using Augur.OnnxRuntime.Onnx.Proto;

namespace Augur.OnnxRuntime.Sharing.Prefixes;

/// <summary>
/// One model's graph cut in two at a shared prefix (design note 0018): the prefix, the nodes whose fingerprints are the
/// prefix's, and the suffix, every other node that reads a graph input through them. Nodes that read no graph input
/// (constants, shapes made of constants) go with whichever side needs them, to both if both do. The frontier is what
/// the prefix computes that the suffix or the graph's outputs read.
/// </summary>
internal sealed class GraphCut
{
    private GraphCut(GraphFingerprints graph, int[] prefix, int[] suffix, string[] inputs, string[] frontier, string[] suffixInputs)
    {
        Graph = graph;
        PrefixNodes = prefix;
        SuffixNodes = suffix;
        PrefixInputs = inputs;
        Frontier = frontier;
        SuffixGraphInputs = suffixInputs;
    }

    public GraphFingerprints Graph { get; }

    /// <summary>The prefix's nodes (graph positions, in order).</summary>
    public IReadOnlyList<int> PrefixNodes { get; }

    /// <summary>The suffix's nodes that read a graph input (graph positions, in order); none when the prefix computes every output.</summary>
    public IReadOnlyList<int> SuffixNodes { get; }

    /// <summary>The graph inputs the prefix reads, in the graph's order.</summary>
    public IReadOnlyList<string> PrefixInputs { get; }

    /// <summary>The prefix's values read after it, in the graph's order of definition.</summary>
    public IReadOnlyList<string> Frontier { get; }

    /// <summary>The graph inputs the suffix reads itself, in the graph's order.</summary>
    public IReadOnlyList<string> SuffixGraphInputs { get; }

    /// <summary>
    /// The cut of <paramref name="graph"/> at the nodes of <paramref name="prefix"/> (fingerprints), or why there is none:
    /// a prefix node the graph lacks, or a graph output the cut cannot give (a graph input or a constant).
    /// </summary>
    public static GraphCut? At(GraphFingerprints graph, IReadOnlySet<string> prefix, out string? problem)
    {
        var nodes = graph.Model.Graph.Node;
        var inPrefix = graph.Nodes.Where(n => n.Varying && n.Shareable && prefix.Contains(n.Fingerprint)).Select(n => n.Index).ToArray();
        if (inPrefix.Select(i => graph.Nodes[i].Fingerprint).Distinct(StringComparer.Ordinal).Count() != prefix.Count)
        {
            problem = "the graph lacks some of the prefix's nodes";
            return null;
        }

        var prefixSet = inPrefix.ToHashSet();
        var suffix = graph.Nodes.Where(n => n.Varying && !prefixSet.Contains(n.Index)).Select(n => n.Index).ToArray();
        var defined = inPrefix.SelectMany(i => nodes[i].Output).Where(o => o.Length > 0).ToHashSet(StringComparer.Ordinal);
        var outputs = graph.Model.Graph.Output.Select(o => o.Name).ToArray();
        if (outputs.FirstOrDefault(o => !defined.Contains(o) && !suffix.Any(i => nodes[i].Output.Contains(o))) is { } fixedOutput)
        {
            problem = $"graph output '{fixedOutput}' is not computed from the inputs by a node";
            return null;
        }

        var read = suffix.SelectMany(i => nodes[i].Input).Concat(outputs).ToHashSet(StringComparer.Ordinal);
        var frontier = inPrefix.SelectMany(i => nodes[i].Output).Where(o => o.Length > 0 && read.Contains(o)).Distinct(StringComparer.Ordinal).ToArray();
        var prefixReads = inPrefix.SelectMany(i => nodes[i].Input).ToHashSet(StringComparer.Ordinal);
        var suffixReads = suffix.SelectMany(i => nodes[i].Input).ToHashSet(StringComparer.Ordinal);
        var graphInputs = graph.Inputs.OrderBy(i => i.Value).Select(i => i.Key).ToArray();
        problem = null;
        return new GraphCut(graph, inPrefix, suffix, graphInputs.Where(prefixReads.Contains).ToArray(), frontier, graphInputs.Where(suffixReads.Contains).ToArray());
    }

    /// <summary>
    /// A model of <paramref name="nodes"/> (graph positions) with the constant nodes they need, the initializers all of
    /// them read, <paramref name="inputs"/> and <paramref name="outputs"/>, and the source's opsets and functions.
    /// </summary>
    public static ModelProto Build(ModelProto source, IReadOnlyList<int> nodes, IReadOnlyList<ValueInfoProto> inputs, IReadOnlyList<ValueInfoProto> outputs, string name)
    {
        var graph = source.Graph;
        var given = inputs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var producers = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var n = 0; n < graph.Node.Count; n++)
        {
            foreach (var output in graph.Node[n].Output.Where(o => o.Length > 0))
            {
                producers[output] = n;
            }
        }

        // The constant nodes needed: walk back from the chosen nodes through producers the chosen set lacks (a value the
        // part is given, such as the frontier for a suffix, is not walked through).
        var chosen = nodes.ToHashSet();
        var pending = new Stack<int>(nodes);
        while (pending.Count > 0)
        {
            foreach (var input in graph.Node[pending.Pop()].Input)
            {
                if (!given.Contains(input) && producers.TryGetValue(input, out var producer) && chosen.Add(producer))
                {
                    pending.Push(producer);
                }
            }
        }

        var part = new GraphProto { Name = name };
        part.Node.AddRange(chosen.Order().Select(n => graph.Node[n]));
        var readNames = part.Node.SelectMany(n => n.Input).ToHashSet(StringComparer.Ordinal);
        part.Initializer.AddRange(graph.Initializer.Where(t => readNames.Contains(t.Name)));
        part.SparseInitializer.AddRange(graph.SparseInitializer.Where(t => t.Values is { } v && readNames.Contains(v.Name)));
        var madeNames = part.Node.SelectMany(n => n.Output).ToHashSet(StringComparer.Ordinal);
        part.ValueInfo.AddRange(graph.ValueInfo.Where(v => madeNames.Contains(v.Name)));
        part.Input.AddRange(inputs);
        part.Output.AddRange(outputs);
        var model = new ModelProto
        {
            IrVersion = source.IrVersion,
            ProducerName = source.ProducerName,
            ProducerVersion = source.ProducerVersion,
            Graph = part,
        };
        model.OpsetImport.AddRange(source.OpsetImport);
        model.Functions.AddRange(source.Functions);
        return model;
    }

    /// <summary>What the source graph says of value <paramref name="name"/> (an input, output or value_info), or the name alone.</summary>
    public static ValueInfoProto Describe(GraphProto graph, string name) =>
        graph.Input.Concat(graph.Output).Concat(graph.ValueInfo).FirstOrDefault(v => v.Name == name) ?? new ValueInfoProto { Name = name };
}
