using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using Augur.OnnxRuntime.Pipelines.Sparse;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Pipelines.Featurizers;

/// <summary>
/// <c>scale</c>: FP32 [B, N] → FP32 [B, N], <c>(x - offset[j]) * scale[j]</c> per column j, in FP32 arithmetic (what an
/// ONNX Sub then Mul computes). Settings <c>offset</c> and <c>scale</c>, both required, N numbers each.
/// </summary>
internal sealed class ScaleFeaturizer : ISparseFeaturizer
{
    public const string Name = "scale";

    private readonly float[] _offset;
    private readonly float[] _scale;

    public ScaleFeaturizer(FeaturizerSettings settings)
    {
        _offset = settings.Floats("offset");
        _scale = settings.Floats("scale");
        if (_offset.Length != _scale.Length)
        {
            throw new FormatException($"settings 'offset' and 'scale' must have one number per column each, but offset has {_offset.Length} and scale {_scale.Length}");
        }
    }

    public string Kind => Name;

    /// <summary>The offset of each column.</summary>
    public IReadOnlyList<float> Offset => _offset;

    /// <summary>The scale of each column.</summary>
    public IReadOnlyList<float> Scale => _scale;

    /// <summary>N, the number of columns.</summary>
    public int Columns => _offset.Length;

    public bool TryInfer(IReadOnlyList<PipelineTensor> inputs, out DataType dataType, [NotNullWhen(true)] out long[]? shape, [NotNullWhen(false)] out string? problem)
    {
        dataType = DataType.Fp32;
        shape = null;
        problem = FeaturizerInputs.Count(Kind, inputs, 1) ?? FeaturizerInputs.Matrix(Kind, inputs[0], [DataType.Fp32], Columns);
        if (problem is not null)
        {
            return false;
        }

        shape = [-1, Columns];
        return true;
    }

    public bool TryRun(IReadOnlyList<InferenceTensor> inputs, string output, [NotNullWhen(true)] out InferenceTensor? result, [NotNullWhen(false)] out string? problem)
    {
        result = null;
        var input = inputs[0];
        if ((problem = FeaturizerInputs.Columns(Kind, input, Columns)) is not null)
        {
            return false;
        }

        var x = input.AsSpan<float>();
        var data = new byte[x.Length * sizeof(float)];
        var y = MemoryMarshal.Cast<byte, float>(data.AsSpan());
        for (var i = 0; i < x.Length; i++)
        {
            var j = i % Columns;
            y[i] = (x[i] - _offset[j]) * _scale[j];
        }

        result = InferenceTensor.FromRaw(output, DataType.Fp32, [input.Shape[0], Columns], data);
        return true;
    }

    /// <summary>Every column is an entry (a scaled value is rarely 0, and 0 × a weight is part of the dense product).</summary>
    public bool TryRunSparse(IReadOnlyList<InferenceTensor> inputs, [NotNullWhen(true)] out SparseRows? result, [NotNullWhen(false)] out string? problem)
    {
        result = null;
        if (!TryRun(inputs, inputs[0].Name, out var dense, out problem))
        {
            return false;
        }

        result = SparseRows.FromDense(dense);
        return true;
    }
}
