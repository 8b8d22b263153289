using System.Text.Json;

namespace Augur.PipelineRepository;

/// <summary>What both kinds of pipeline share: the head's file name and how a request is written.</summary>
internal static class PipelineFiles
{
    /// <summary>The per-pipeline ONNX model's file in the version folder.</summary>
    public const string Head = "head.onnx";

    /// <summary>An Open Inference Protocol request of one row: each input as (name, datatype, shape, values).</summary>
    public static string Request(string id, params (string Name, string DataType, long[] Shape, object Data)[] inputs) =>
        JsonSerializer.Serialize(new
        {
            id,
            inputs = inputs.Select(i => new { name = i.Name, datatype = i.DataType, shape = i.Shape, data = i.Data }),
        });

    /// <summary>Weights uniform in (−<paramref name="scale"/>, <paramref name="scale"/>), from the pipeline's own seed.</summary>
    public static float[] RandomWeights(Random random, int count, float scale)
    {
        var weights = new float[count];
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = (random.NextSingle() * 2 - 1) * scale;
        }

        return weights;
    }
}
