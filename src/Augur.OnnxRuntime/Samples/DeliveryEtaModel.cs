using Augur.OnnxRuntime.Onnx;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Samples;

/// <summary>
/// Fits the delivery ETA regression on <see cref="DeliveryData"/> and writes it as an ONNX graph.
/// </summary>
/// <remarks>
/// The model is linear in six features: the four inputs plus two the graph derives itself, a rush-hour
/// indicator and rain × distance. That mirrors how a real team would engineer features it knows matter.
/// </remarks>
internal static class DeliveryEtaModel
{
    public const int TrainingRows = 4000;

    /// <summary>Inputs, rush-hour indicator, rain × distance.</summary>
    public const int ExpandedFeatureCount = DeliveryData.FeatureCount + 2;

    /// <summary>Weights for the expanded features, then the intercept.</summary>
    public static float[] Fit()
    {
        var (features, targets) = DeliveryData.Generate(TrainingRows, DeliveryData.TrainingSeed);
        var design = features.Select(Expand).ToArray();
        var coefficients = LeastSquares.Fit(design, targets.Select(t => (double)t).ToArray());
        return coefficients.Select(c => (float)c).ToArray();
    }

    public static byte[] Build() => Build(Fit());

    public static byte[] Build(float[] coefficients)
    {
        var builder = new OnnxGraphBuilder(SampleModels.DeliveryEta)
            .AddInput("features", DataType.Fp32, -1, DeliveryData.FeatureCount)
            .AddOutput("eta_minutes", DataType.Fp32, -1, 1);
        var weights = builder.AddInitializer("weights", coefficients[..ExpandedFeatureCount], ExpandedFeatureCount, 1);
        var intercept = builder.AddInitializer("intercept", [coefficients[ExpandedFeatureCount]], 1);
        var distanceColumn = builder.AddInitializer("distance_column", [0L], 1);
        var hourColumn = builder.AddInitializer("hour_column", [2L], 1);
        var rainColumn = builder.AddInitializer("rain_column", [3L], 1);
        var lunchStart = builder.AddInitializer("lunch_start", [11f]);
        var lunchEnd = builder.AddInitializer("lunch_end", [14f]);
        var dinnerStart = builder.AddInitializer("dinner_start", [17f]);
        var dinnerEnd = builder.AddInitializer("dinner_end", [21f]);
        var column = OnnxAttribute.Int("axis", 1);
        return builder
            .AddNode("Gather", ["features", distanceColumn], ["distance"], column)
            .AddNode("Gather", ["features", hourColumn], ["hour"], column)
            .AddNode("Gather", ["features", rainColumn], ["rain"], column)
            .AddNode("GreaterOrEqual", ["hour", lunchStart], ["after_lunch_start"])
            .AddNode("Less", ["hour", lunchEnd], ["before_lunch_end"])
            .AddNode("And", ["after_lunch_start", "before_lunch_end"], ["is_lunch"])
            .AddNode("GreaterOrEqual", ["hour", dinnerStart], ["after_dinner_start"])
            .AddNode("Less", ["hour", dinnerEnd], ["before_dinner_end"])
            .AddNode("And", ["after_dinner_start", "before_dinner_end"], ["is_dinner"])
            .AddNode("Or", ["is_lunch", "is_dinner"], ["is_rush"])
            .AddNode("Cast", ["is_rush"], ["rush"], OnnxAttribute.Int("to", 1))
            .AddNode("Mul", ["rain", "distance"], ["rain_distance"])
            .AddNode("Concat", ["features", "rush", "rain_distance"], ["expanded"], column)
            .AddNode("MatMul", ["expanded", weights], ["eta_linear"])
            .AddNode("Add", ["eta_linear", intercept], ["eta_minutes"])
            .ToBytes();
    }

    /// <summary>The expanded feature row with a trailing 1 for the intercept, as the graph computes it.</summary>
    private static double[] Expand(float[] row) =>
        [row[0], row[1], row[2], row[3], DeliveryData.IsRushHour(row[2]) ? 1 : 0, row[3] * row[0], 1];
}
