using Augur.OnnxRuntime.Onnx;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Samples;

/// <summary>Trains the fraud MLP on <see cref="FraudData"/> and writes it as an ONNX graph.</summary>
internal static class FraudModel
{
    public const int TrainingRows = 8000;
    public const int Epochs = 40;

    public static FraudWeights Train()
    {
        var rows = FraudData.Generate(TrainingRows, FraudData.TrainingSeed);
        var labels = rows.Select(r => FraudData.IsFraud(r)).ToArray();
        return FraudTrainer.Train(rows, labels, Epochs, FraudData.TrainingSeed);
    }

    public static byte[] Build() => Build(Train());

    public static byte[] Build(FraudWeights weights)
    {
        var inputs = weights.Inputs;
        var hidden = weights.Hidden;
        var builder = new OnnxGraphBuilder(SampleModels.Fraud)
            .AddInput("features", DataType.Fp32, -1, inputs)
            .AddOutput("probability", DataType.Fp32, -1, 1)
            .AddOutput("label", DataType.Int64, -1, 1);
        var w1 = builder.AddInitializer("w1", weights.W1, inputs, hidden);
        var b1 = builder.AddInitializer("b1", weights.B1, hidden);
        var w2 = builder.AddInitializer("w2", weights.W2, hidden, 1);
        var b2 = builder.AddInitializer("b2", weights.B2, 1);
        var threshold = builder.AddInitializer("threshold", [0.5f]);
        return builder
            .AddNode("MatMul", ["features", w1], ["hidden_linear"])
            .AddNode("Add", ["hidden_linear", b1], ["hidden_biased"])
            .AddNode("Relu", ["hidden_biased"], ["hidden"])
            .AddNode("MatMul", ["hidden", w2], ["logit_linear"])
            .AddNode("Add", ["logit_linear", b2], ["logit"])
            .AddNode("Sigmoid", ["logit"], ["probability"])
            .AddNode("GreaterOrEqual", ["probability", threshold], ["is_fraud"])
            .AddNode("Cast", ["is_fraud"], ["label"], OnnxAttribute.Int("to", 7))
            .ToBytes();
    }
}
