using Augur.Backends;
using Augur.OnnxRuntime.Backend;
using Augur.OnnxRuntime.Diagnostics;
using Augur.OnnxRuntime.Onnx;
using Augur.OnnxRuntime.Onnx.Proto;
using Augur.OnnxRuntime.Pipelines;
using Microsoft.Extensions.Logging;

namespace Augur.OnnxRuntime.Sharing.Prefixes;

/// <summary>
/// The ONNX graph prefixes that the plain models loaded through one backend have in common (design note 0018). Each
/// model is registered with the fingerprints of its graph. A model that begins with a prefix already shared joins it;
/// else, when it has nodes in common with a model that runs whole (the same operators on the same inputs and weights,
/// holding at least the minimum bytes of weights, <see cref="OnnxRuntimeOptions.SharedPrefixMinimumBytes"/>), that common part becomes a new shared prefix and both
/// models are split at it. A split model's prefix runs through one <see cref="SharedStep"/> for every model sharing it,
/// so their batches are computed together; the rest of each graph runs in a session of its own.
/// </summary>
internal sealed class SharedPrefixes(Func<ModelProto, string, ModelLoadContext, bool, OnnxModel> loadPart, long minimumWeightBytes)
{
    /// <summary>A prefix holding fewer bytes of weights is not worth a second session run per batch.</summary>
    public const long DefaultMinimumWeightBytes = 1 << 20;

    private readonly object _gate = new();
    private readonly List<Whole> _whole = [];
    private readonly Dictionary<string, OnnxPrefix> _prefixes = new(StringComparer.Ordinal);

    /// <summary>The shared steps, one per prefix in use, with the versions using each.</summary>
    public SharedSteps Steps { get; } = new();

    /// <summary>
    /// Registers <paramref name="model"/>, loaded from <paramref name="parsed"/>: it joins a shared prefix, founds one
    /// with a model running whole, or waits, running whole, for a model to share with.
    /// </summary>
    public void Register(OnnxModel model, ModelProto parsed, ILogger logger)
    {
        var graph = GraphFingerprints.Of(parsed, model.File.Name + " of " + User(model.Context), model.SharedWeightKeys);
        lock (_gate)
        {
            foreach (var prefix in _prefixes.Values.OrderByDescending(p => p.Nodes.Count).ToArray())
            {
                if (Steps.UsersOf(prefix.Fingerprint).Count == 0)
                {
                    _prefixes.Remove(prefix.Fingerprint);
                    continue;
                }

                if (Join(model, graph, prefix, logger))
                {
                    return;
                }
            }

            foreach (var other in _whole.ToArray())
            {
                var (otherSplit, modelSplit) = Found(model, graph, other, logger);
                if (otherSplit)
                {
                    _whole.Remove(other);
                }

                if (modelSplit)
                {
                    return;
                }
            }

            var whole = new Whole(model, graph.Nodes.Where(n => n.Varying && n.Shareable).Select(n => n.Fingerprint).ToHashSet(StringComparer.Ordinal));
            _whole.Add(whole);
            model.Unregister = () =>
            {
                lock (_gate)
                {
                    _whole.Remove(whole);
                }
            };
        }
    }

    /// <summary>Splits <paramref name="model"/> and <paramref name="other"/> at the nodes they have in common, if worth it; which of them were split.</summary>
    private (bool Other, bool Model) Found(OnnxModel model, GraphFingerprints graph, Whole other, ILogger logger)
    {
        var common = graph.Nodes.Where(n => n.Varying && n.Shareable && other.Nodes.Contains(n.Fingerprint)).Select(n => n.Fingerprint).ToHashSet(StringComparer.Ordinal);
        if (common.Count == 0 || GraphCut.At(graph, common, out _) is not { } cut || WeightBytes(cut) < minimumWeightBytes)
        {
            return (false, false);
        }

        var otherName = User(other.Model.Context);
        if (!OnnxModelFile.TryParse(other.Model.File.Read(), out var otherParsed, out var problem, other.Model.File.Name))
        {
            OnnxRuntimeLog.PrefixNotShared(logger, model.Context.ModelName, model.Context.Version, common.Count, otherName, $"its file could not be read again: {problem}");
            return (false, false);
        }

        var otherGraph = GraphFingerprints.Of(otherParsed, other.Model.File.Name + " of " + otherName, other.Model.SharedWeightKeys);
        if (GraphCut.At(otherGraph, common, out problem) is not { } otherCut)
        {
            OnnxRuntimeLog.PrefixNotShared(logger, model.Context.ModelName, model.Context.Version, common.Count, otherName, problem!);
            return (false, false);
        }

        // The prefix computes what either model reads after it, named as this model names it.
        var outputs = cut.Frontier.Concat(otherCut.Frontier.Select(f => graph.NameOf(otherGraph.ValueOf(f)!)!)).Distinct(StringComparer.Ordinal).ToArray();
        var prefix = OnnxPrefix.Open(cut, outputs, part => loadPart(part, $"the shared prefix of {model.File.Name}", model.Context, true), out problem);
        if (prefix is null)
        {
            OnnxRuntimeLog.PrefixNotShared(logger, model.Context.ModelName, model.Context.Version, common.Count, otherName, problem!);
            return (false, false);
        }

        var otherSplit = Join(other.Model, otherGraph, prefix, logger);
        var modelSplit = Join(model, graph, prefix, logger);
        if (otherSplit || modelSplit)
        {
            _prefixes[prefix.Fingerprint] = prefix;
        }
        else
        {
            prefix.Dispose();
        }

        return (otherSplit, modelSplit);
    }

    /// <summary>Splits <paramref name="model"/> at <paramref name="prefix"/> when its graph begins so and needs nothing more of it.</summary>
    private bool Join(OnnxModel model, GraphFingerprints graph, OnnxPrefix prefix, ILogger logger)
    {
        if (GraphCut.At(graph, prefix.Nodes, out _) is not { } cut)
        {
            return false;
        }

        var outputs = prefix.OutputFingerprints.Select(f => graph.NameOf(f)!).ToArray();
        var inputs = prefix.InputFingerprints.Select(graph.NameOf).ToArray();
        var user = User(model.Context);
        if (inputs.Any(i => i is null || !graph.Inputs.ContainsKey(i)) || cut.Frontier.Any(f => !outputs.Contains(f)))
        {
            OnnxRuntimeLog.PrefixNotShared(logger, model.Context.ModelName, model.Context.Version, prefix.Nodes.Count, $"shared sub-plan {prefix.Fingerprint}",
                "it reads values the shared prefix does not give, or feeds it other inputs");
            return false;
        }

        OnnxModel? suffix = null;
        try
        {
            suffix = cut.SuffixNodes.Count == 0 ? null : loadPart(Suffix(cut, prefix, outputs), $"{model.File.Name} after its shared prefix", model.Context, false);
        }
        catch (Exception ex) when (ex is Microsoft.ML.OnnxRuntime.OnnxRuntimeException or InvalidDataException or NotSupportedException)
        {
            OnnxRuntimeLog.PrefixNotShared(logger, model.Context.ModelName, model.Context.Version, prefix.Nodes.Count, $"shared sub-plan {prefix.Fingerprint}",
                $"the rest of its graph would not load on its own: {ex.Message}");
            return false;
        }

        var others = Steps.UsersOf(prefix.Fingerprint).Count;
        var lease = Steps.Acquire(prefix.Fingerprint, () => new SharedStep(prefix.Fingerprint, prefix, prefix.Description), user);
        model.Adopt(new PrefixSplit(lease, prefix, inputs!, outputs, suffix));
        OnnxRuntimeLog.PrefixShared(logger, model.Context.ModelName, model.Context.Version, prefix.Fingerprint, prefix.Description, others);
        return true;
    }

    /// <summary>The suffix graph: the cut's suffix nodes reading the frontier (typed as the prefix's outputs) and graph inputs of their own.</summary>
    private static ModelProto Suffix(GraphCut cut, OnnxPrefix prefix, string[] prefixOutputs)
    {
        var source = cut.Graph.Model.Graph;
        var frontier = cut.Frontier.Select(f => Typed(f, prefix.Outputs[Array.IndexOf(prefixOutputs, f)]));
        var produced = cut.SuffixNodes.SelectMany(n => source.Node[n].Output).ToHashSet(StringComparer.Ordinal);
        return GraphCut.Build(cut.Graph.Model, cut.SuffixNodes,
            [.. frontier, .. cut.SuffixGraphInputs.Select(i => GraphCut.Describe(source, i))],
            source.Output.Where(o => produced.Contains(o.Name)).ToArray(), $"{source.Name}_after_shared_prefix");
    }

    private static ValueInfoProto Typed(string name, Augur.Models.TensorSpec spec)
    {
        var shape = new TensorShapeProto();
        foreach (var dimension in spec.Shape)
        {
            shape.Dim.Add(dimension < 0 ? new TensorShapeProto.Types.Dimension() : new TensorShapeProto.Types.Dimension { DimValue = dimension });
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = OnnxElementTypes.From(spec.DataType), Shape = shape } } };
    }

    private static long WeightBytes(GraphCut cut)
    {
        var nodes = cut.Graph.Model.Graph.Node;
        return cut.PrefixNodes.SelectMany(n => nodes[n].Input).Distinct(StringComparer.Ordinal).Sum(i => cut.Graph.InitializerBytes.GetValueOrDefault(i));
    }

    private static string User(ModelLoadContext context) => $"{context.ModelName} version {context.Version}";

    /// <summary>A registered model running whole: the fingerprints of its nodes that could be shared.</summary>
    private sealed record Whole(OnnxModel Model, IReadOnlySet<string> Nodes);
}
