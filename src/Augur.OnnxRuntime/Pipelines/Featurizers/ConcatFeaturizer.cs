using System.Diagnostics.CodeAnalysis;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Pipelines.Featurizers;

/// <summary><c>concat</c>: FP32 [B, N1], FP32 [B, N2], ... (two or more) → FP32 [B, N1 + N2 + ...], side by side. No settings.</summary>
internal sealed class ConcatFeaturizer : IFeaturizer
{
    public const string Name = "concat";

    public string Kind => Name;

    public bool TryInfer(IReadOnlyList<PipelineTensor> inputs, out DataType dataType, [NotNullWhen(true)] out long[]? shape, [NotNullWhen(false)] out string? problem)
    {
        dataType = DataType.Fp32;
        shape = null;
        if (inputs.Count < 2)
        {
            problem = $"{Kind} reads two or more tensors, but inputs lists {inputs.Count}";
            return false;
        }

        var width = 0L;
        foreach (var input in inputs)
        {
            if ((problem = FeaturizerInputs.Matrix(Kind, input, [DataType.Fp32])) is not null)
            {
                return false;
            }

            width = width < 0 || input.Shape[1] < 0 ? -1 : width + input.Shape[1];
        }

        shape = [-1, width];
        problem = null;
        return true;
    }

    public bool TryRun(IReadOnlyList<InferenceTensor> inputs, string output, [NotNullWhen(true)] out InferenceTensor? result, [NotNullWhen(false)] out string? problem)
    {
        problem = null;
        var rows = inputs[0].Shape[0];
        var width = inputs.Sum(i => i.Shape[1]);
        var data = new byte[checked(rows * width * sizeof(float))];
        var offset = 0;
        for (var row = 0; row < rows; row++)
        {
            foreach (var input in inputs)
            {
                var rowBytes = (int)input.Shape[1] * sizeof(float);
                input.Data.Span.Slice((int)row * rowBytes, rowBytes).CopyTo(data.AsSpan(offset));
                offset += rowBytes;
            }
        }

        result = InferenceTensor.FromRaw(output, DataType.Fp32, [rows, width], data);
        return true;
    }
}
