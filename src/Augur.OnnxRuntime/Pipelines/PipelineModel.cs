using Augur.Backends;
using Augur.Models;
using Augur.OnnxRuntime.Backend;
using Augur.OnnxRuntime.Diagnostics;
using Augur.OnnxRuntime.Pipelines.Sparse;
using Microsoft.Extensions.Logging;

namespace Augur.OnnxRuntime.Pipelines;

/// <summary>
/// One loaded pipeline version run step by step: its plan and a loaded ONNX model per ONNX step. Each instance holds one ONNX Runtime
/// instance (session) per ONNX step; the featurizers are shared, being immutable, and those of the shared prefix
/// (design note 0016) run through the backend's <see cref="SharedSteps"/>, with every other pipeline that begins so.
/// </summary>
internal sealed class PipelineModel : IModel, IExplainsPlan
{
    private readonly string _name;
    private readonly PipelinePlan _plan;
    private readonly IReadOnlyDictionary<string, OnnxModel> _graphs;
    private readonly IReadOnlyList<(string Step, SharedSteps.Lease Lease)> _shared;
    private readonly TimeProvider _time;
    private readonly string _why;
    private readonly SparseHeads _sparse;

    private PipelineModel(string name, PipelinePlan plan, IReadOnlyDictionary<string, OnnxModel> graphs, TimeProvider time, string why,
        SparseHeads sparse, IReadOnlyList<(string Step, SharedSteps.Lease Lease)>? shared = null)
    {
        _name = name;
        _plan = plan;
        _graphs = graphs;
        _time = time;
        _why = why;
        _sparse = sparse;
        _shared = shared ?? [];
    }

    public ModelPlan Plan
    {
        get
        {
            var shared = _shared.ToDictionary(s => s.Step, s => s.Lease.Step, StringComparer.Ordinal);
            var steps = _plan.Order.Select(step => step switch
            {
                FeaturizerStep f when _sparse.HeadOf(f.Name) is { } head =>
                    new PlanStep(f.Name, $"{f.Featurizer.Kind} {f.Settings}, as sparse rows into step '{head.Step.Name}'", shared.GetValueOrDefault(head.Step.Name)?.Fingerprint),
                FeaturizerStep f => new PlanStep(f.Name, $"{f.Featurizer.Kind} {f.Settings}", shared.GetValueOrDefault(f.Name)?.Fingerprint),
                OnnxStep o when _sparse.Steps.TryGetValue(o.Name, out var head) => new PlanStep(o.Name, head.Runs),
                OnnxStep o when _sparse.NotSparse.TryGetValue(o.Name, out var reason) => new PlanStep(o.Name, $"ONNX Runtime session ({o.File}); not a sparse linear head: {reason}"),
                OnnxStep o => new PlanStep(o.Name, $"ONNX Runtime session ({o.File})"),
                _ => new PlanStep(step.Name, step.Describe()),
            }).ToArray();
            var resources = shared.Values.DistinctBy(s => s.Fingerprint)
                .Select(s => new SharedResource(SharedResource.SubPlan, s.Fingerprint, 0, s.Description))
                .Concat(_graphs.Values.SelectMany(g => g.SharedWeights))
                .ToArray();
            return new ModelPlan(steps, resources, [$"step by step: {_why}", .. _graphs.Values.Select(g => g.SessionNote).Distinct()]);
        }
    }

    public ModelSignature Signature => _plan.Signature;

    /// <summary>
    /// Checks the data flow, loads each ONNX step's graph with <paramref name="onnxRuntime"/> and checks the types and
    /// shapes against the graphs. A <see cref="FormatException"/> names the step at fault; nothing stays loaded then.
    /// With <paramref name="fuse"/>, the validated pipeline is then compiled into one graph and served as one session
    /// (<see cref="FusedPipelineModel"/>); a pipeline that cannot be fused runs step by step, and the log says why.
    /// With <paramref name="sharedSteps"/> (sub-plans shared), a pipeline that begins with featurizers runs them through
    /// the shared steps and the rest step by step: its prefix is computed with other pipelines' batches instead of fused.
    /// </summary>
    public static async ValueTask<IModel> LoadAsync(PipelineDefinition pipeline, OnnxRuntimeBackend onnxRuntime, SharedSteps? sharedSteps,
        ModelLoadContext context, bool fuse, CancellationToken cancellationToken, bool sparseHeads = false)
    {
        var order = PipelineGraph.Order(pipeline);
        // Validated against signatures read by throwaway sessions; real sessions are opened only for the steps that
        // end up running in ONNX Runtime one by one (not fused, not sparse heads).
        var signatures = await ReadSignaturesAsync(order, onnxRuntime, context, cancellationToken).ConfigureAwait(false);
        var plan = PipelinePlan.Create(pipeline, order, step => signatures[step.Name]);
        var logger = context.LoggerFactory.CreateLogger("Augur.OnnxRuntime.Pipelines");
        if (sharedSteps is not null && SubPlan.Prefix(plan) is { Count: > 0 } prefix)
        {
            var sparse = SparseHeadsOf(plan, sparseHeads, context, logger);
            var graphs = await LoadGraphsAsync(order, sparse, onnxRuntime, context, cancellationToken).ConfigureAwait(false);
            return new PipelineModel(context.ModelName, plan, graphs, context.Time,
                "the featurizers it begins with are shared sub-plans, computed with other pipelines' batches, and the steps after them run one by one",
                sparse, Share(plan, prefix, sparse, sharedSteps, context, logger));
        }

        string why;
        if (!fuse)
        {
            PipelineLog.FusionOff(logger, context.ModelName, context.Version);
            why = "fusion is off (backend_settings.pipeline.fuse or --fuse-pipelines false)";
        }
        else if (!FusedPipeline.TryCompile(plan, context.VersionDirectory, out var fusedGraph, out var problem))
        {
            PipelineLog.NotFused(logger, context.ModelName, context.Version, problem);
            why = $"not fused: {problem}";
        }
        else if (FusedPipeline.TryLoad(plan, fusedGraph, onnxRuntime, context, out var fused, out problem))
        {
            PipelineLog.Fused(logger, context.ModelName, context.Version, plan.Order.Count);
            return fused;
        }
        else
        {
            PipelineLog.NotFused(logger, context.ModelName, context.Version, problem);
            why = $"not fused: {problem}";
        }

        var heads = SparseHeadsOf(plan, sparseHeads, context, logger);
        return new PipelineModel(context.ModelName, plan, await LoadGraphsAsync(order, heads, onnxRuntime, context, cancellationToken).ConfigureAwait(false),
            context.Time, why, heads);
    }

    /// <summary>With <paramref name="on"/>, each ONNX step that is a sparse linear head (design note 0017), logged either way: those run in C#, with no session.</summary>
    private static SparseHeads SparseHeadsOf(PipelinePlan plan, bool on, ModelLoadContext context, ILogger logger)
    {
        var heads = on ? SparseHeads.Create(plan, context.VersionDirectory) : SparseHeads.None;
        foreach (var (_, head) in heads.Steps)
        {
            PipelineLog.SparseHead(logger, context.ModelName, context.Version, head.Step.Describe(), $"runs as a {head.Runs}, its featurizers giving sparse rows; no ONNX Runtime session");
        }

        foreach (var (name, reason) in heads.NotSparse)
        {
            PipelineLog.SparseHead(logger, context.ModelName, context.Version, plan.Order.First(s => s.Name == name).Describe(), $"runs in ONNX Runtime, not as a sparse linear head: {reason}");
        }

        return heads;
    }

    /// <summary>
    /// Leases the shared steps of the prefix: each featurizer step that runs where it stands, and each sparse head's
    /// featurization that reads only the prefix, as a shared step of its own (its fingerprint marked sparse).
    /// </summary>
    private static (string, SharedSteps.Lease)[] Share(PipelinePlan plan, IReadOnlyList<(FeaturizerStep Step, string Fingerprint)> prefix, SparseHeads sparse,
        SharedSteps sharedSteps, ModelLoadContext context, ILogger logger)
    {
        var user = $"{context.ModelName} version {context.Version}";
        var leases = new List<(string, SharedSteps.Lease)>();
        foreach (var (step, fingerprint) in prefix.Where(p => sparse.HeadOf(p.Step.Name) is null))
        {
            leases.Add((step.Name, sharedSteps.Acquire(fingerprint, step, user)));
            PipelineLog.StepShared(logger, context.ModelName, context.Version, step.Describe(), fingerprint, sharedSteps.UsersOf(fingerprint).Count(u => u != user));
        }

        foreach (var head in sparse.Steps.Values)
        {
            if (SubPlan.SparseFingerprint(plan, head.Featurization) is not { } fingerprint)
            {
                continue;
            }

            var featurization = new FeaturizerStep(head.Step.Name, head.Featurization, head.Featurization.Leaves, head.Step.Inputs[0].Tensor, head.Featurization.Description);
            leases.Add((head.Step.Name, sharedSteps.Acquire(fingerprint, featurization, user)));
            PipelineLog.StepShared(logger, context.ModelName, context.Version, $"the sparse rows for {head.Step.Describe()}", fingerprint, sharedSteps.UsersOf(fingerprint).Count(u => u != user));
        }

        return [.. leases];
    }

    /// <summary>Each ONNX step's signature, read without keeping a session (<see cref="OnnxRuntimeBackend.ReadSignatureAsync"/>).</summary>
    private static async ValueTask<Dictionary<string, ModelSignature>> ReadSignaturesAsync(IReadOnlyList<PipelineStep> order, OnnxRuntimeBackend onnxRuntime, ModelLoadContext context, CancellationToken cancellationToken)
    {
        var signatures = new Dictionary<string, ModelSignature>(StringComparer.Ordinal);
        foreach (var step in order.OfType<OnnxStep>())
        {
            signatures.Add(step.Name, await LoadGraphAsync(step, context, path => onnxRuntime.ReadSignatureAsync(path, context, cancellationToken)).ConfigureAwait(false));
        }

        return signatures;
    }

    /// <summary>A session for every ONNX step that runs in ONNX Runtime (not a sparse head).</summary>
    private static async ValueTask<Dictionary<string, OnnxModel>> LoadGraphsAsync(IReadOnlyList<PipelineStep> order, SparseHeads sparse, OnnxRuntimeBackend onnxRuntime, ModelLoadContext context, CancellationToken cancellationToken)
    {
        var graphs = new Dictionary<string, OnnxModel>(StringComparer.Ordinal);
        try
        {
            foreach (var step in order.OfType<OnnxStep>().Where(s => !sparse.Steps.ContainsKey(s.Name)))
            {
                graphs.Add(step.Name, await LoadGraphAsync(step, context, path => onnxRuntime.LoadFileAsync(path, context, cancellationToken)).ConfigureAwait(false));
            }

            return graphs;
        }
        catch
        {
            await DisposeAsync(graphs).ConfigureAwait(false);
            throw;
        }
    }

    private static async ValueTask DisposeAsync(Dictionary<string, OnnxModel> graphs)
    {
        foreach (var graph in graphs.Values)
        {
            await graph.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async ValueTask<T> LoadGraphAsync<T>(OnnxStep step, ModelLoadContext context, Func<string, ValueTask<T>> load)
    {
        var path = Path.Combine(context.VersionDirectory, step.File);
        if (!File.Exists(path))
        {
            throw new FormatException($"{step.Describe()}: {step.File} is not in the version folder {context.VersionDirectory}");
        }

        try
        {
            return await load(path).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new FormatException($"{step.Describe()}: could not be loaded: {ex.Message}", ex);
        }
    }

    public async ValueTask<IModelInstance> CreateInstanceAsync(int index, CancellationToken cancellationToken)
    {
        var sessions = new Dictionary<string, OnnxModelInstance>(StringComparer.Ordinal);
        try
        {
            foreach (var step in _plan.Order.OfType<OnnxStep>().Where(s => !_sparse.Steps.ContainsKey(s.Name)))
            {
                var graph = _graphs[step.Name];
                // Only the mapped outputs: ONNX Runtime then computes nothing the pipeline drops.
                var outputs = step.Outputs.Select(o => graph.Signature.FindOutput(o.Graph)!).ToArray();
                sessions.Add(step.Name, graph.CreateInstance(outputs));
            }
        }
        catch
        {
            foreach (var session in sessions.Values)
            {
                await session.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }

        return new PipelineInstance(_name, _plan, sessions, _shared.ToDictionary(s => s.Step, s => s.Lease.Step, StringComparer.Ordinal), _time, _sparse.Steps);
    }

    public async ValueTask DisposeAsync()
    {
        // After the last instance (the engine's order), so every session given the shared weights is gone.
        foreach (var graph in _graphs.Values)
        {
            await graph.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var (_, lease) in _shared)
        {
            lease.Dispose();
        }
    }
}
