using Augur.Backends;
using Augur.Inference;
using Augur.Models;
using Augur.OnnxRuntime.Backend;

namespace Augur.OnnxRuntime.Pipelines;

/// <summary>
/// A pipeline compiled into one ONNX graph (design note 0014) and loaded by the ONNX Runtime backend like a model.onnx:
/// each instance is one session that runs every step, with no tensor copied between steps. Its signature is the
/// pipeline's; text inputs are checked as UTF-8, and inputs of dynamic width against the featurizers reading them,
/// before the graph runs, with the step-by-step pipeline's messages.
/// </summary>
internal sealed class FusedPipelineModel(string name, PipelinePlan plan, OnnxModel graph) : IModel, IExplainsPlan
{
    private readonly WidthCheck[] _widths = WidthCheck.Of(plan);

    public ModelSignature Signature => plan.Signature;

    public ModelPlan Plan => new(
        [new PlanStep("fused", $"ONNX Runtime session of one graph: {string.Join(" → ", plan.Order.Select(s => s.Describe()))}")],
        graph.SharedWeights,
        [$"fused: {plan.Order.Count} step(s) in one ONNX Runtime graph", graph.SessionNote]);

    public ValueTask<IModelInstance> CreateInstanceAsync(int index, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IModelInstance>(new Instance(name, plan, _widths, graph.CreateInstance(graph.Signature.Outputs)));

    // After the last instance (the engine's order), so every session given the shared weights is gone.
    public ValueTask DisposeAsync() => graph.DisposeAsync();

    private sealed class Instance(string name, PipelinePlan plan, WidthCheck[] widths, OnnxModelInstance session) : IModelInstance
    {
        // The featurizers' run-time checks, made before the graph runs: the step-by-step featurizers' own 400s.
        public ValueTask<BatchResult> ExecuteAsync(IReadOnlyList<InferenceRequest> batch, CancellationToken cancellationToken) =>
            (TextInputCheck.Check(name, plan, batch) ?? WidthCheck.Check(name, widths, batch)) is { } invalid
                ? ValueTask.FromResult(BatchResult.Failure(invalid))
                : session.ExecuteAsync(batch, cancellationToken);

        public ValueTask DisposeAsync() => session.DisposeAsync();
    }
}
