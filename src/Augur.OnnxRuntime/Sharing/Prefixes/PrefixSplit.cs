using Augur.Backends;
using Augur.Models;
using Augur.OnnxRuntime.Backend;
using Augur.OnnxRuntime.Pipelines;

namespace Augur.OnnxRuntime.Sharing.Prefixes;

/// <summary>
/// How one plain model runs once it shares a prefix (design note 0018): the prefix through the shared step it leases,
/// its tensors mapped by name onto the prefix's, and the rest of its graph, the suffix, as a model of its own (none when
/// the prefix computes every output).
/// </summary>
internal sealed class PrefixSplit(SharedSteps.Lease lease, OnnxPrefix prefix, string[] inputs, string[] outputs, OnnxModel? suffix) : IDisposable
{
    /// <summary>The shared step that computes the prefix.</summary>
    public SharedStep Step => lease.Step;

    public OnnxPrefix Prefix { get; } = prefix;

    /// <summary>The model's input fed to each prefix input, in the prefix's order.</summary>
    public IReadOnlyList<string> Inputs { get; } = inputs;

    /// <summary>The model's name for each prefix output, in the prefix's order.</summary>
    public IReadOnlyList<string> Outputs { get; } = outputs;

    /// <summary>The rest of the graph, reading the prefix's outputs (and graph inputs of its own); null when there is none.</summary>
    public OnnxModel? Suffix { get; } = suffix;

    /// <summary>The plan's steps: the shared prefix, then the suffix.</summary>
    public IEnumerable<PlanStep> PlanSteps(string file)
    {
        yield return new PlanStep("prefix", $"{Prefix.Description} of {file}, one session computing the joined batches of every model sharing it", Step.Fingerprint);
        if (Suffix is not null)
        {
            yield return new PlanStep("suffix", $"ONNX Runtime session (the rest of {file}, reading {string.Join(", ", Outputs.Select(o => $"'{o}'"))})");
        }
    }

    /// <summary>An instance: the suffix's own session (if any) and the shared step.</summary>
    public IModelInstance CreateInstance(string model, ModelSignature signature, TimeProvider time) =>
        new SplitInstance(model, this, Suffix?.CreateInstance(Suffix.Signature.Outputs), signature, time);

    /// <summary>Lets go of the suffix and of the shared step (the prefix's session goes with its last user); after the model's instances.</summary>
    public void Dispose()
    {
        Suffix?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        lease.Dispose();
    }
}
