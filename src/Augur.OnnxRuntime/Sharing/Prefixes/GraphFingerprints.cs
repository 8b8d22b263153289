using System.Security.Cryptography;
using System.Text;
using Augur.OnnxRuntime.Onnx.Proto;
using Google.Protobuf;

namespace Augur.OnnxRuntime.Sharing.Prefixes;

/// <summary>
/// What each value of a model's main graph computes, as a fingerprint (design note 0018): a graph input by its position,
/// datatype and row shape (not its name); an initializer by its datatype, dimensions and bytes; a node's output by the
/// node's domain, operator, opset, attributes and the fingerprints of its inputs, and which output it is. Two models
/// whose nodes have equal fingerprints compute the same function of their inputs there, whatever they call their
/// tensors. Nodes that cannot be shared (with subgraphs, random, or reading a name the graph does not define) get a
/// fingerprint of this model alone, and so does everything after them.
/// </summary>
internal sealed class GraphFingerprints
{
    // Operators whose outputs are not a function of their inputs.
    private static readonly HashSet<string> Random = new(StringComparer.Ordinal)
    {
        "RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike", "Multinomial", "Bernoulli", "Dropout",
    };

    private readonly Dictionary<string, string> _values;

    private GraphFingerprints(ModelProto model, Dictionary<string, string> values, NodeFacts[] nodes, Dictionary<string, int> inputs, Dictionary<string, long> initializerBytes)
    {
        Model = model;
        _values = values;
        Nodes = nodes;
        Inputs = inputs;
        InitializerBytes = initializerBytes;
    }

    /// <summary>The model the fingerprints were taken of (its graph's nodes, in order, are <see cref="Nodes"/>).</summary>
    public ModelProto Model { get; }

    /// <summary>Each node of the main graph, in the graph's order.</summary>
    public IReadOnlyList<NodeFacts> Nodes { get; }

    /// <summary>The graph inputs (initializers excluded) and their positions.</summary>
    public IReadOnlyDictionary<string, int> Inputs { get; }

    /// <summary>The bytes of each initializer held in the file (external data counts too).</summary>
    public IReadOnlyDictionary<string, long> InitializerBytes { get; }

    /// <summary>The fingerprint of the value named <paramref name="name"/>, or null when the graph does not define it.</summary>
    public string? ValueOf(string name) => _values.GetValueOrDefault(name);

    /// <summary>The tensor of this graph whose value has fingerprint <paramref name="fingerprint"/>, or null.</summary>
    public string? NameOf(string fingerprint) => _values.FirstOrDefault(v => v.Value == fingerprint).Key;

    /// <summary>
    /// The fingerprints of <paramref name="model"/>'s main graph; <paramref name="scope"/> (e.g. its path) makes those of
    /// its unshareable parts its own. <paramref name="keys"/> are content keys the shared-weight store computed already
    /// (by initializer name), so large weights are not hashed twice.
    /// </summary>
    public static GraphFingerprints Of(ModelProto model, string scope, IReadOnlyDictionary<string, string> keys)
    {
        var graph = model.Graph;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var initializerBytes = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var tensor in graph.Initializer)
        {
            values[tensor.Name] = Initializer(tensor, scope, keys.GetValueOrDefault(tensor.Name));
            initializerBytes[tensor.Name] = tensor.RawData.Length + (tensor.FloatData.Count * 4L) + (tensor.Int64Data.Count * 8L) + (tensor.DoubleData.Count * 8L) + (tensor.Int32Data.Count * 4L);
        }

        foreach (var sparse in graph.SparseInitializer)
        {
            values[sparse.Values?.Name ?? string.Empty] = Hash($"sparse initializer of {scope}: {sparse.Values?.Name}");
        }

        var inputs = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var input in graph.Input.Where(i => !values.ContainsKey(i.Name)))
        {
            inputs[input.Name] = inputs.Count;
            values[input.Name] = Hash($"input #{inputs[input.Name]} {TypeOf(input)}");
        }

        var opsets = model.OpsetImport.GroupBy(o => o.Domain).ToDictionary(g => g.Key, g => g.Max(o => o.Version), StringComparer.Ordinal);
        var nodes = new NodeFacts[graph.Node.Count];
        var varying = new HashSet<string>(inputs.Keys, StringComparer.Ordinal);
        for (var n = 0; n < nodes.Length; n++)
        {
            var node = graph.Node[n];
            var domain = node.Domain is "ai.onnx" ? string.Empty : node.Domain;
            var shareable = !Random.Contains(node.OpType)
                && node.Attribute.All(a => a.G is null && a.Graphs.Count == 0)
                && node.Input.All(i => i.Length == 0 || values.ContainsKey(i));
            var identity = new StringBuilder()
                .Append(domain).Append(':').Append(node.OpType).Append('@').Append(opsets.GetValueOrDefault(domain))
                .Append(" (").AppendJoin(", ", node.Input.Select(i => i.Length == 0 ? "-" : values.GetValueOrDefault(i, "?"))).Append(')');
            foreach (var attribute in node.Attribute.OrderBy(a => a.Name, StringComparer.Ordinal))
            {
                identity.Append(' ').Append(Convert.ToHexStringLower(SHA256.HashData(attribute.ToByteArray())));
            }

            if (!shareable)
            {
                identity.Append(" of ").Append(scope).Append(" node ").Append(n);
            }

            var fingerprint = Hash(identity.ToString());
            var depends = node.Input.Any(varying.Contains);
            for (var o = 0; o < node.Output.Count; o++)
            {
                if (node.Output[o].Length > 0)
                {
                    values[node.Output[o]] = Hash($"{fingerprint}#{o}");
                    if (depends)
                    {
                        varying.Add(node.Output[o]);
                    }
                }
            }

            nodes[n] = new NodeFacts(n, fingerprint, depends, shareable);
        }

        return new GraphFingerprints(model, values, nodes, inputs, initializerBytes);
    }

    private static string TypeOf(ValueInfoProto value)
    {
        if (value.Type?.TensorType is not { } tensor)
        {
            return $"not a tensor ({value.Type})";
        }

        var dims = tensor.Shape?.Dim.Skip(1).Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture) : "?");
        return $"{tensor.ElemType} [{string.Join(',', dims ?? ["unranked"])}]";
    }

    private static string Initializer(TensorProto tensor, string scope, string? key)
    {
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External || tensor.ExternalData.Count > 0)
        {
            // Read by ONNX Runtime from a file of the version folder: never assumed equal to another model's.
            return Hash($"external initializer of {scope}: {tensor.Name}");
        }

        if (!tensor.RawData.IsEmpty)
        {
            // The store's key of raw data is this same function of the same bytes.
            return Hash($"initializer {key ?? ShareableInitializers.Key(tensor.DataType, [.. tensor.Dims], tensor.RawData.Span)}");
        }

        // Typed fields (small constants, mostly): the tensor's encoding without its name.
        var unnamed = tensor.Clone();
        unnamed.Name = string.Empty;
        unnamed.DocString = string.Empty;
        return Hash($"initializer {Convert.ToHexStringLower(SHA256.HashData(unnamed.ToByteArray()))}");
    }

    private static string Hash(string identity) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)).AsSpan(0, 16));
}

/// <summary>One node of a graph: its position, fingerprint, whether it reads (through other nodes) a graph input, and whether it may be shared.</summary>
internal sealed record NodeFacts(int Index, string Fingerprint, bool Varying, bool Shareable);
