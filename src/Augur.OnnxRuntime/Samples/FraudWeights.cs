namespace Augur.OnnxRuntime.Samples;

/// <summary>
/// The parameters of the fraud MLP, laid out as ONNX MatMul wants them:
/// hidden = Relu(x · <see cref="W1"/> + <see cref="B1"/>), logit = hidden · <see cref="W2"/> + <see cref="B2"/>.
/// </summary>
/// <param name="W1">[inputs, hidden], row-major.</param>
/// <param name="B1">[hidden].</param>
/// <param name="W2">[hidden, 1].</param>
/// <param name="B2">[1].</param>
internal sealed record FraudWeights(float[] W1, float[] B1, float[] W2, float[] B2)
{
    public int Inputs => W1.Length / Hidden;

    public int Hidden => B1.Length;
}
