using Augur.Backends;
using Augur.Inference;
using Augur.Models;
using Augur.OnnxRuntime.Backend;
using Augur.OnnxRuntime.Pipelines;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Sharing.Prefixes;

/// <summary>
/// The ONNX graph prefix that several plain models have in common (design note 0018), as one session that their
/// <see cref="SharedStep"/> runs on the joined rows of every model's batches. It is made from the graph of the model
/// that found the second user, in that model's tensor names; each user maps its own names onto it by fingerprint.
/// </summary>
internal sealed class OnnxPrefix : ISharedComputation, IDisposable
{
    /// <summary>Rows of the probe run at load: a prefix whose outputs do not have as many rows as its inputs cannot be shared.</summary>
    internal const int ProbeRows = 7;

    private readonly OnnxModel _model;
    private readonly OnnxModelInstance _instance;
    private readonly string[] _inputNames;

    private OnnxPrefix(OnnxModel model, OnnxModelInstance instance, string fingerprint, IReadOnlySet<string> nodes, string[] inputFingerprints, string[] outputFingerprints, string description)
    {
        _model = model;
        _instance = instance;
        _inputNames = model.Signature.Inputs.Select(i => i.Name).ToArray();
        Fingerprint = fingerprint;
        Nodes = nodes;
        InputFingerprints = inputFingerprints;
        OutputFingerprints = outputFingerprints;
        Description = description;
    }

    public string Kind => "onnx_prefix";

    /// <summary>The prefix's identity: what its outputs are (each fingerprint names the whole computation behind it).</summary>
    public string Fingerprint { get; }

    /// <summary>The fingerprints of its nodes.</summary>
    public IReadOnlySet<string> Nodes { get; }

    /// <summary>What each input is, in the session's order.</summary>
    public IReadOnlyList<string> InputFingerprints { get; }

    /// <summary>What each output is, in the session's order.</summary>
    public IReadOnlyList<string> OutputFingerprints { get; }

    /// <summary>The session's outputs (datatype and shape), in order: the suffix graphs' inputs are declared so.</summary>
    public IReadOnlyList<TensorSpec> Outputs => _model.Signature.Outputs;

    /// <summary>E.g. <c>ONNX prefix of 2 node(s) (MatMul, Relu), 24.0 MiB of weights</c>.</summary>
    public string Description { get; }

    /// <summary>The weights it holds in the shared store.</summary>
    public IReadOnlyList<SharedResource> SharedWeights => _model.SharedWeights;

    /// <summary>
    /// Opens the prefix of <paramref name="cut"/> computing <paramref name="outputs"/> (values of the cut's graph) with
    /// <paramref name="load"/>, and probes it on <see cref="ProbeRows"/> rows of zeros; null, with the reason, when the
    /// probe fails or an output's rows are not the inputs' rows.
    /// </summary>
    public static OnnxPrefix? Open(GraphCut cut, IReadOnlyList<string> outputs, Func<Onnx.Proto.ModelProto, OnnxModel> load, out string? problem)
    {
        var graph = cut.Graph;
        var source = graph.Model.Graph;
        var part = GraphCut.Build(graph.Model, cut.PrefixNodes,
            cut.PrefixInputs.Select(i => GraphCut.Describe(source, i)).ToArray(),
            outputs.Select(o => new Onnx.Proto.ValueInfoProto { Name = o }).ToArray(), $"{source.Name}_shared_prefix");
        var ops = cut.PrefixNodes.Select(n => source.Node[n].OpType).Distinct(StringComparer.Ordinal);
        var weights = part.Graph.Initializer.Sum(t => graph.InitializerBytes.GetValueOrDefault(t.Name));
        var size = weights >= 1 << 20 ? $"{weights / (1024.0 * 1024):0.0} MiB" : $"{weights / 1024.0:0.#} KiB";
        var description = $"ONNX prefix of {cut.PrefixNodes.Count} node(s) ({string.Join(", ", ops)}), {size} of weights";
        var model = load(part);
        OnnxModelInstance? instance = null;
        try
        {
            instance = model.CreateInstance(model.Signature.Outputs);
            problem = Probe(instance, model.Signature);
            if (problem is not null)
            {
                Close(instance, model);
                return null;
            }

            var outputFingerprints = outputs.Select(o => graph.ValueOf(o)!).ToArray();
            return new OnnxPrefix(model, instance, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join('.', outputFingerprints))).AsSpan(0, 8)), cut.PrefixNodes.Select(n => graph.Nodes[n].Fingerprint).ToHashSet(StringComparer.Ordinal),
                cut.PrefixInputs.Select(i => graph.ValueOf(i)!).ToArray(), outputFingerprints, description);
        }
        catch
        {
            Close(instance, model);
            throw;
        }
    }

    public StepOutcome Run(IReadOnlyList<InferenceTensor> inputs)
    {
        var named = new InferenceTensor[inputs.Count];
        for (var i = 0; i < named.Length; i++)
        {
            named[i] = inputs[i].WithName(_inputNames[i]);
        }

        var result = _instance.Execute([new InferenceRequest(Kind, named)], CancellationToken.None);
        return result.Error is { } error ? new StepOutcome(null, error.Message) : new StepOutcome(result.Outputs![0], null);
    }

    public void Dispose() => Close(_instance, _model);

    /// <summary>The instance, then the model (its shared weights after every session); both finish synchronously.</summary>
    private static void Close(OnnxModelInstance? instance, OnnxModel model)
    {
        instance?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        model.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Runs zeros (empty strings for BYTES) through the prefix; every output must have the inputs' rows.</summary>
    private static string? Probe(OnnxModelInstance instance, ModelSignature signature)
    {
        if (signature.Inputs.Count == 0)
        {
            return "the prefix reads no graph input";
        }

        var inputs = new InferenceTensor[signature.Inputs.Count];
        for (var i = 0; i < inputs.Length; i++)
        {
            var spec = signature.Inputs[i];
            if (spec.Shape.Length == 0 || spec.Shape[0] != -1)
            {
                return $"input '{spec.Name}' has no dynamic first dimension to join rows along";
            }

            var shape = spec.Shape.Select((d, k) => k == 0 ? ProbeRows : d < 0 ? 1 : d).ToArray();
            var elements = shape.Aggregate(1L, (a, b) => a * b);
            var bytes = spec.DataType == DataType.Bytes ? elements * sizeof(int) : elements * spec.DataType.ElementSize();
            inputs[i] = InferenceTensor.FromRaw(spec.Name, spec.DataType, shape, new byte[bytes]);
        }

        var result = instance.Execute([new InferenceRequest("probe", inputs)], CancellationToken.None);
        if (result.Error is { } error)
        {
            return $"a probe run on zeros failed: {error.Message}";
        }

        foreach (var output in result.Outputs![0])
        {
            if (output.Shape.Length == 0 || output.Shape[0] != ProbeRows)
            {
                return $"output '{output.Name}' has shape {TensorShape.Format(output.Shape)} for {ProbeRows} rows: its rows are not the inputs' rows";
            }
        }

        return null;
    }
}
