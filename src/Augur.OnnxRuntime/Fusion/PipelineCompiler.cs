using System.Diagnostics.CodeAnalysis;
using Augur.OnnxRuntime.Onnx;
using Augur.OnnxRuntime.Onnx.Proto;
using Augur.OnnxRuntime.Pipelines;
using Augur.OnnxRuntime.Pipelines.Featurizers;

namespace Augur.OnnxRuntime.Fusion;

/// <summary>
/// Compiles a validated pipeline into one ONNX graph (design note 0014): the operator sets chosen for every graph and
/// featurizer, the pipeline's inputs declared, each step in execution order (a featurizer emitted as operators, an ONNX
/// step's graph appended under its name), the pipeline's outputs declared in their order. What cannot be fused is
/// refused with the reason, naming the step; the pipeline then runs step by step.
/// </summary>
internal static class PipelineCompiler
{
    /// <summary>The fused graph's name.</summary>
    public const string GraphName = "pipeline";

    /// <param name="plan">The validated pipeline.</param>
    /// <param name="graphs">Each ONNX step's graph by step name, as parsed from its file.</param>
    /// <param name="fused">The fused model; initializers keep their bytes and external data its relative location.</param>
    /// <param name="problem">Why the pipeline cannot be fused.</param>
    public static bool TryCompile(PipelinePlan plan, IReadOnlyDictionary<string, ModelProto> graphs,
        [NotNullWhen(true)] out ModelProto? fused, [NotNullWhen(false)] out string? problem)
    {
        fused = null;
        if ((problem = Unfusable(plan)) is not null || !TryChooseOpsets(plan, graphs, out var opsets, out problem))
        {
            return false;
        }

        var builder = new OnnxGraphBuilder(GraphName, (int)opsets[""]);
        foreach (var (domain, version) in opsets.Where(o => o.Key.Length > 0))
        {
            builder.ImportOpset(domain, version);
        }

        foreach (var input in plan.Signature.Inputs)
        {
            builder.AddInput(input.Name, input.DataType, input.Shape);
        }

        var exposed = new Dictionary<string, ValueInfoProto>(StringComparer.Ordinal);
        foreach (var step in plan.Order)
        {
            if (!TryAppend(builder, step, graphs, exposed, out problem))
            {
                problem = $"{step.Describe()}: {problem}";
                return false;
            }
        }

        foreach (var output in plan.Signature.Outputs)
        {
            if (exposed.TryGetValue(output.Name, out var valueInfo))
            {
                builder.AddOutput(valueInfo);
            }
            else
            {
                builder.AddOutput(output.Name, output.DataType, output.Shape);
            }
        }

        fused = builder.ToModel();
        return true;
    }

    /// <summary>What no fused graph can do as the steps do: null when there is nothing of the kind.</summary>
    private static string? Unfusable(PipelinePlan plan)
    {
        foreach (var output in plan.Signature.Outputs)
        {
            if (plan.Tensors[output.Name].Producer == PipelineTensor.PipelineInput)
            {
                return $"output '{output.Name}' is a pipeline input returned as it is; an ONNX graph cannot return one of its inputs under the same name";
            }
        }

        foreach (var step in plan.Order.OfType<FeaturizerStep>().Where(s => s.Featurizer is TextNgramsFeaturizer))
        {
            var text = plan.Tensors[step.Inputs[0]];
            if (text.Producer != PipelineTensor.PipelineInput)
            {
                // The pipeline's text inputs are checked for UTF-8 before any step runs; text made by a step is not.
                return $"{step.Describe()} reads {text.Describe()}; a fused text_ngrams reads pipeline inputs only, which are checked as UTF-8 before the graph runs";
            }
        }

        foreach (var step in plan.Order.OfType<FeaturizerStep>())
        {
            var input = plan.Tensors[step.Inputs[0]];
            if (WidthCheck.ColumnsOf(step.Featurizer) is { } columns && input.Producer != PipelineTensor.PipelineInput && input.Shape[1] == -1)
            {
                // Step by step, the featurizer refuses another width with a 400 naming it; in a graph, no check could run first.
                return $"{step.Describe()} reads {input.Describe()}, whose width is known only when it runs, and needs {columns} column(s)";
            }
        }

        return null;
    }

    private static bool TryChooseOpsets(PipelinePlan plan, IReadOnlyDictionary<string, ModelProto> graphs,
        [NotNullWhen(true)] out SortedDictionary<string, long>? opsets, [NotNullWhen(false)] out string? problem)
    {
        var featurizers = plan.Order.OfType<FeaturizerStep>().ToArray();
        var minimums = new Dictionary<string, long>(StringComparer.Ordinal);
        if (featurizers.Length > 0)
        {
            minimums[""] = FeaturizerOpsets.MinimumOpset;
        }

        if (featurizers.Any(f => FeaturizerEmitters.NeedsMicrosoftDomain(f.Featurizer)))
        {
            minimums[FeaturizerOpsets.MicrosoftDomain] = FeaturizerOpsets.MicrosoftVersion;
        }

        var onnxSteps = plan.Order.OfType<OnnxStep>().ToArray();
        if (!FusedOpsets.TryChoose(onnxSteps.Select(s => (s.Name, graphs[s.Name])).ToArray(), minimums, out opsets, out problem))
        {
            // FusedOpsets names the graph by its label, the step's name: "graph 'classify': ...".
            foreach (var step in onnxSteps)
            {
                var label = $"graph '{step.Name}': ";
                if (problem.StartsWith(label, StringComparison.Ordinal))
                {
                    problem = $"{step.Describe()}: {problem[label.Length..]}";
                    break;
                }
            }

            return false;
        }

        if (!opsets.TryGetValue("", out var opset) || opset < 13)
        {
            problem = $"the graphs import ai.onnx {(opset == 0 ? "not at all" : opset.ToString(System.Globalization.CultureInfo.InvariantCulture))}; a fused graph needs opset 13 or later";
            opsets = null;
            return false;
        }

        if (featurizers.Any(f => FeaturizerEmitters.NeedsMicrosoftDomain(f.Featurizer)) && opsets[FeaturizerOpsets.MicrosoftDomain] != FeaturizerOpsets.MicrosoftVersion)
        {
            problem = $"the graphs import {FeaturizerOpsets.MicrosoftDomain} {opsets[FeaturizerOpsets.MicrosoftDomain]}, and the hashing featurizers need version {FeaturizerOpsets.MicrosoftVersion}";
            opsets = null;
            return false;
        }

        return true;
    }

    private static bool TryAppend(OnnxGraphBuilder builder, PipelineStep step, IReadOnlyDictionary<string, ModelProto> graphs,
        Dictionary<string, ValueInfoProto> exposed, [NotNullWhen(false)] out string? problem)
    {
        switch (step)
        {
            case FeaturizerStep featurizer:
                try
                {
                    FeaturizerEmitters.Emit(builder, featurizer);
                }
                catch (ArgumentException ex)
                {
                    // A value name taken by a pipeline tensor of the same name as one of the featurizer's own, e.g. "featurize/rows".
                    problem = ex.Message;
                    return false;
                }

                problem = null;
                return true;
            case OnnxStep onnx:
                var inputs = onnx.Inputs.ToDictionary(i => i.Graph, i => i.Tensor, StringComparer.Ordinal);
                var outputs = onnx.Outputs.ToDictionary(o => o.Graph, o => o.Tensor, StringComparer.Ordinal);
                if (!GraphMerger.TryAppend(builder, graphs[onnx.Name], onnx.Name, inputs, outputs, out var kept, out problem))
                {
                    return false;
                }

                foreach (var valueInfo in kept)
                {
                    exposed[valueInfo.Name] = valueInfo;
                }

                return true;
            default:
                throw new InvalidOperationException($"unknown step type {step.GetType().Name}");
        }
    }
}
