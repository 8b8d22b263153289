using Augur.OnnxRuntime.Onnx.Proto;

namespace Augur.OnnxRuntime.Onnx;

/// <summary>
/// Refuses ONNX models whose external data (tensors stored beside the model, named by a <c>location</c> entry)
/// would be read from outside the model's folder: absolute locations, <c>..</c> segments, NUL characters, and
/// symbolic links that resolve elsewhere. Every tensor is visited: initializers, sparse initializers, node attributes,
/// subgraphs of control-flow nodes and functions.
/// </summary>
internal static class ExternalDataCheck
{
    /// <summary>Null when <paramref name="modelBytes"/> parse and every external data location stays inside <paramref name="modelDirectory"/>; otherwise why not.</summary>
    public static string? Check(ReadOnlySpan<byte> modelBytes, string modelDirectory) =>
        OnnxModelFile.TryParse(modelBytes, out var model, out var problem) ? Check(model, modelDirectory) : problem;

    /// <summary>Null when every external data location of <paramref name="model"/> stays inside <paramref name="modelDirectory"/>; otherwise why not.</summary>
    public static string? Check(ModelProto model, string modelDirectory)
    {
        var root = Path.GetFullPath(modelDirectory);
        foreach (var tensor in Tensors(model))
        {
            if (tensor.DataLocation != TensorProto.Types.DataLocation.External && tensor.ExternalData.Count == 0)
            {
                continue;
            }

            var location = tensor.ExternalData.FirstOrDefault(e => e.Key == "location")?.Value;
            if (CheckLocation(location, root) is { } problem)
            {
                return $"tensor '{tensor.Name}' has external data {problem}; external data must be a file inside the model's version folder";
            }
        }

        return null;
    }

    private static string? CheckLocation(string? location, string root)
    {
        if (string.IsNullOrEmpty(location))
        {
            return "with no location";
        }

        if (location.Contains('\0', StringComparison.Ordinal) || location.Any(char.IsControl))
        {
            return "whose location contains control characters";
        }

        if (Path.IsPathRooted(location) || location.StartsWith('/') || location.StartsWith('\\') || (location.Length > 1 && location[1] == ':'))
        {
            return $"at an absolute location '{location}'";
        }

        if (location.Split('/', '\\').Any(segment => segment == ".."))
        {
            return $"at '{location}', which leaves the model folder";
        }

        var full = Path.GetFullPath(Path.Combine(root, location));
        if (!full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return $"at '{location}', which leaves the model folder";
        }

        // A link inside the folder may still point outside it: follow it before trusting it.
        var info = new FileInfo(full);
        if (info.Exists && info.LinkTarget is not null)
        {
            var target = info.ResolveLinkTarget(returnFinalTarget: true)?.FullName;
            if (target is null || !target.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                return $"at '{location}', a link to a file outside the model folder";
            }
        }

        return null;
    }

    private static IEnumerable<TensorProto> Tensors(ModelProto model)
    {
        var graphs = new Stack<GraphProto>();
        var nodes = new List<NodeProto>(model.Functions.SelectMany(f => f.Node));
        if (model.Graph is not null)
        {
            graphs.Push(model.Graph);
        }

        while (graphs.Count > 0 || nodes.Count > 0)
        {
            if (graphs.Count > 0)
            {
                var graph = graphs.Pop();
                foreach (var tensor in graph.Initializer)
                {
                    yield return tensor;
                }

                foreach (var sparse in graph.SparseInitializer)
                {
                    foreach (var tensor in Parts(sparse))
                    {
                        yield return tensor;
                    }
                }

                nodes.AddRange(graph.Node);
            }

            var pending = nodes.ToArray();
            nodes.Clear();
            foreach (var attribute in pending.SelectMany(n => n.Attribute))
            {
                if (attribute.T is not null)
                {
                    yield return attribute.T;
                }

                foreach (var tensor in attribute.Tensors.Concat(Parts(attribute.SparseTensor)).Concat(attribute.SparseTensors.SelectMany(Parts)))
                {
                    yield return tensor;
                }

                if (attribute.G is not null)
                {
                    graphs.Push(attribute.G);
                }

                foreach (var graph in attribute.Graphs)
                {
                    graphs.Push(graph);
                }
            }
        }
    }

    private static IEnumerable<TensorProto> Parts(SparseTensorProto? sparse)
    {
        if (sparse?.Values is not null)
        {
            yield return sparse.Values;
        }

        if (sparse?.Indices is not null)
        {
            yield return sparse.Indices;
        }
    }
}
