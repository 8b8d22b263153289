using System.Text.Json;
using Augur.Inference;
using Augur.Tensors;

namespace Augur.OpenLoop.InProcess;

/// <summary>
/// Builds a batched request from a protocol request file: its first input (FP32, flat data, shape [1, ...]) with the
/// one row repeated <c>batch</c> times along the first dimension.
/// </summary>
internal static class BatchRequestFile
{
    public static InferenceRequest Read(string path, string model, int batch)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var input = document.RootElement.GetProperty("inputs")[0];
        var name = input.GetProperty("name").GetString() ?? throw Invalid(path, "the first input has no name");
        if (input.GetProperty("datatype").GetString() != "FP32")
        {
            throw Invalid(path, $"input '{name}' must be FP32");
        }

        var shape = input.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
        if (shape.Length == 0 || shape[0] != 1)
        {
            throw Invalid(path, $"input '{name}' must have shape [1, ...] (one sample)");
        }

        var data = input.GetProperty("data");
        var row = new float[data.GetArrayLength()];
        var i = 0;
        foreach (var value in data.EnumerateArray())
        {
            // GetSingle throws on nested arrays: the file must hold flat data.
            row[i++] = value.GetSingle();
        }

        if (row.Length != shape.Aggregate(1L, (product, dim) => product * dim))
        {
            throw Invalid(path, $"input '{name}' has {row.Length} values, which does not match its shape");
        }

        var values = new float[row.Length * batch];
        for (var sample = 0; sample < batch; sample++)
        {
            row.CopyTo(values.AsSpan(sample * row.Length));
        }

        shape[0] = batch;
        return new InferenceRequest(model, [InferenceTensor.Create(name, values, shape)]);
    }

    private static InvalidDataException Invalid(string path, string problem) => new($"{path}: {problem}");
}
