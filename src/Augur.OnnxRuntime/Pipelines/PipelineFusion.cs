using Augur.Models;
using Augur.OnnxRuntime.Backend;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;

namespace Augur.OnnxRuntime.Pipelines;

/// <summary>
/// The fusion the pipeline backend does at load (design note 0014), for tools outside the server: the pipeline of a
/// version folder compiled into one ONNX graph that a plain <see cref="InferenceSession"/> can run, e.g. to serve the
/// same pipeline from an endpoint that knows only model.onnx files (perf/Augur.PipelineRepository).
/// </summary>
public static class PipelineFusion
{
    /// <summary>
    /// Reads <c>pipeline.json</c> of <paramref name="versionDirectory"/>, validates it against its ONNX steps (each opened
    /// once with default session options for its signature), and returns the fused graph's bytes.
    /// </summary>
    /// <exception cref="InvalidDataException">The pipeline is invalid or cannot be fused; the message names the step.</exception>
    public static byte[] Compile(string versionDirectory)
    {
        ArgumentNullException.ThrowIfNull(versionDirectory);
        var path = Path.Combine(versionDirectory, PipelineDefinition.FileName);
        if (!PipelineReader.TryParse(File.ReadAllText(path), out var pipeline, out var problem))
        {
            throw new InvalidDataException($"{path}: {problem}");
        }

        PipelinePlan plan;
        try
        {
            plan = PipelinePlan.Create(pipeline, step => GraphSignature(Path.Combine(versionDirectory, step.File)));
        }
        catch (FormatException ex)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }

        return FusedPipeline.TryCompile(plan, versionDirectory, out var fused, out problem)
            ? fused.ToByteArray()
            : throw new InvalidDataException($"{path}: cannot be fused: {problem}");
    }

    private static ModelSignature GraphSignature(string file)
    {
        using var session = new InferenceSession(file);
        return new ModelSignature(
            OnnxModel.Describe(session.InputNames, session.InputMetadata, "input"),
            OnnxModel.Describe(session.OutputNames, session.OutputMetadata, "output"));
    }
}
