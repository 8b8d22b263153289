using System.Text.Json;
using Augur.OnnxRuntime.Pipelines;
using Augur.OnnxRuntime.Pipelines.Featurizers;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Tests.Pipelines;

/// <summary>Featurizers made from their settings' JSON and run on test tensors.</summary>
internal static class Featurize
{
    public static IFeaturizer Create(string kind, string settings = "{}")
    {
        using var document = JsonDocument.Parse(settings);
        return FeaturizerCatalog.Create(kind, document.RootElement);
    }

    /// <summary>The settings' problem, as the reader would put it after the step's name.</summary>
    public static string Refusal(string kind, string settings) =>
        Assert.Throws<FormatException>(() => Create(kind, settings)).Message;

    public static InferenceTensor Run(IFeaturizer featurizer, params InferenceTensor[] inputs)
    {
        Assert.True(featurizer.TryRun(inputs, "out", out var result, out var problem), problem);
        Assert.Equal("out", result.Name);
        return result;
    }

    public static string RunRefusal(IFeaturizer featurizer, params InferenceTensor[] inputs)
    {
        Assert.False(featurizer.TryRun(inputs, "out", out _, out var problem));
        return problem!;
    }

    /// <summary>The output's datatype and shape, e.g. <c>FP32 [-1,2]</c>.</summary>
    public static string Infer(IFeaturizer featurizer, params PipelineTensor[] inputs)
    {
        Assert.True(featurizer.TryInfer(inputs, out var dataType, out var shape, out var problem), problem);
        return $"{dataType.Name()} {TensorShape.Format(shape)}";
    }

    public static string InferRefusal(IFeaturizer featurizer, params PipelineTensor[] inputs)
    {
        Assert.False(featurizer.TryInfer(inputs, out _, out _, out var problem));
        return problem!;
    }

    public static PipelineTensor Tensor(string name, DataType dataType, params long[] shape) => new(name, dataType, shape, "step 'before'");

    public static InferenceTensor Strings(string name, string[] values, params long[] shape) => InferenceTensor.CreateStrings(name, values, shape);

    public static InferenceTensor Bytes(string name, byte[][] values, params long[] shape) =>
        InferenceTensor.FromRaw(name, DataType.Bytes, shape, BytesElements.Encode(values));

    /// <summary>A row of <paramref name="width"/> zeros but for the given counts.</summary>
    public static float[] Row(int width, params (int Index, float Value)[] values)
    {
        var row = new float[width];
        foreach (var (index, value) in values)
        {
            row[index] = value;
        }

        return row;
    }
}
