using System.Diagnostics.CodeAnalysis;
using Augur.Backends;
using Augur.OnnxRuntime.Backend;
using Augur.OnnxRuntime.Fusion;
using Augur.OnnxRuntime.Onnx;
using Augur.OnnxRuntime.Onnx.Proto;
using Augur.Tensors;
using Google.Protobuf;

namespace Augur.OnnxRuntime.Pipelines;

/// <summary>
/// Makes a validated pipeline one ONNX Runtime model: its step files compiled into one graph
/// (<see cref="PipelineCompiler"/>), loaded through the ONNX Runtime backend's own path (session settings, shared
/// weights, external data against the version folder), served with the pipeline's signature.
/// </summary>
internal static class FusedPipeline
{
    /// <summary>Reads and parses each ONNX step's file and compiles the pipeline; the problem names the step.</summary>
    public static bool TryCompile(PipelinePlan plan, string versionDirectory, [NotNullWhen(true)] out ModelProto? fused, [NotNullWhen(false)] out string? problem)
    {
        fused = null;
        var graphs = new Dictionary<string, ModelProto>(StringComparer.Ordinal);
        foreach (var step in plan.Order.OfType<OnnxStep>())
        {
            if (!OnnxModelFile.TryParse(File.ReadAllBytes(Path.Combine(versionDirectory, step.File)), out var graph, out problem, step.File))
            {
                problem = $"{step.Describe()}: {problem}";
                return false;
            }

            graphs.Add(step.Name, graph);
        }

        return PipelineCompiler.TryCompile(plan, graphs, out fused, out problem);
    }

    /// <summary>Loads the fused graph; false, with ONNX Runtime's reason, when it refuses the graph or gives it another signature.</summary>
    public static bool TryLoad(PipelinePlan plan, ModelProto fusedGraph, OnnxRuntimeBackend onnxRuntime, ModelLoadContext context,
        [NotNullWhen(true)] out FusedPipelineModel? model, [NotNullWhen(false)] out string? problem)
    {
        model = null;
        var directory = context.VersionDirectory;
        var description = $"the fused graph of {Path.Combine(directory, PipelineDefinition.FileName)}";
        OnnxModel graph;
        try
        {
            graph = onnxRuntime.LoadGenerated(fusedGraph, fusedGraph.ToByteArray(), description, () => Build(plan, directory), context);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            problem = $"ONNX Runtime could not load the fused graph: {ex.Message}";
            return false;
        }

        if (Mismatch(plan, graph) is { } mismatch)
        {
            graph.DisposeAsync().AsTask().GetAwaiter().GetResult();
            problem = $"the fused graph's signature differs from the pipeline's: {mismatch}";
            return false;
        }

        model = new FusedPipelineModel(context.ModelName, plan, graph);
        problem = null;
        return true;
    }

    /// <summary>The fused graph's bytes again, for an instance created after the first bytes were dropped.</summary>
    private static byte[] Build(PipelinePlan plan, string versionDirectory) =>
        TryCompile(plan, versionDirectory, out var fused, out var problem)
            ? fused.ToByteArray()
            : throw new InvalidDataException($"the pipeline no longer compiles: {problem}");

    private static string? Mismatch(PipelinePlan plan, OnnxModel graph)
    {
        static string Types(IEnumerable<Models.TensorSpec> specs) => string.Join(", ", specs.Select(s => $"{s.Name} {s.DataType.Name()}"));
        var expected = $"inputs {Types(plan.Signature.Inputs)}; outputs {Types(plan.Signature.Outputs)}";
        var actual = $"inputs {Types(graph.Signature.Inputs)}; outputs {Types(graph.Signature.Outputs)}";
        return expected == actual ? null : $"{actual}, not {expected}";
    }
}
