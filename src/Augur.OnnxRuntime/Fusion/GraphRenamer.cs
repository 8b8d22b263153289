using Augur.OnnxRuntime.Onnx.Proto;

namespace Augur.OnnxRuntime.Fusion;

/// <summary>
/// Copies the parts of a graph under new value names, subgraphs (If, Loop, Scan bodies) included: their own values get
/// the same renaming and their references to the outer graph follow it. Initializer bytes are not copied:
/// <see cref="Google.Protobuf.ByteString"/> is immutable, so a renamed tensor holds the same bytes.
/// </summary>
internal sealed class GraphRenamer(Func<string, string> rename, string nodePrefix)
{
    public NodeProto Node(NodeProto node)
    {
        var copy = node.Clone();
        copy.Name = node.Name.Length == 0 ? "" : $"{nodePrefix}/{node.Name}";
        copy.Domain = OnnxDomains.Normalize(node.Domain);
        Rename(copy.Input);
        Rename(copy.Output);
        foreach (var attribute in copy.Attribute)
        {
            if (attribute.G is not null)
            {
                attribute.G = Subgraph(attribute.G);
            }

            for (var i = 0; i < attribute.Graphs.Count; i++)
            {
                attribute.Graphs[i] = Subgraph(attribute.Graphs[i]);
            }
        }

        return copy;
    }

    public TensorProto Initializer(TensorProto tensor)
    {
        var copy = tensor.Clone();
        copy.Name = rename(tensor.Name);
        return copy;
    }

    public SparseTensorProto SparseInitializer(SparseTensorProto tensor)
    {
        var copy = tensor.Clone();
        copy.Values.Name = rename(tensor.Values.Name);
        return copy;
    }

    public ValueInfoProto ValueInfo(ValueInfoProto valueInfo) => ValueInfo(valueInfo, rename(valueInfo.Name));

    public static ValueInfoProto ValueInfo(ValueInfoProto valueInfo, string name)
    {
        var copy = valueInfo.Clone();
        copy.Name = name;
        return copy;
    }

    private GraphProto Subgraph(GraphProto graph)
    {
        // A clone keeps whatever else the subgraph carries; only its names change.
        var copy = graph.Clone();
        copy.Name = $"{nodePrefix}/{graph.Name}";
        for (var i = 0; i < copy.Node.Count; i++)
        {
            copy.Node[i] = Node(graph.Node[i]);
        }

        foreach (var tensor in copy.Initializer)
        {
            tensor.Name = rename(tensor.Name);
        }

        foreach (var tensor in copy.SparseInitializer)
        {
            tensor.Values.Name = rename(tensor.Values.Name);
        }

        foreach (var valueInfo in copy.Input.Concat(copy.Output).Concat(copy.ValueInfo))
        {
            valueInfo.Name = rename(valueInfo.Name);
        }

        return copy;
    }

    private void Rename(Google.Protobuf.Collections.RepeatedField<string> names)
    {
        for (var i = 0; i < names.Count; i++)
        {
            // An empty name is an optional input or output left out; it stays empty.
            names[i] = names[i].Length == 0 ? "" : rename(names[i]);
        }
    }
}
