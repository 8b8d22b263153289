using System.Globalization;
using Augur;
using Augur.Inference;
using Augur.Tensors;

namespace EdgeConsole;

/// <summary>Turns an order line into the <c>delivery_eta</c> model's features and runs the model in this process.</summary>
internal sealed class DeliveryPredictor(InferenceEngine engine)
{
    private static readonly string[] Columns = ["distance_km", "item_count", "hour_of_day", "is_raining"];

    /// <summary>The predicted minutes, or why the line cannot be predicted (the engine's errors are values too).</summary>
    public async ValueTask<(float Minutes, string? Problem)> PredictAsync(string line)
    {
        var fields = line.Split(',', StringSplitOptions.TrimEntries);
        if (fields.Length != Columns.Length)
        {
            return (0, $"expected {Columns.Length} values ({string.Join(',', Columns)}), got {fields.Length}");
        }

        var features = new float[Columns.Length];
        for (var i = 0; i < fields.Length; i++)
        {
            if (!float.TryParse(fields[i], NumberStyles.Float, CultureInfo.InvariantCulture, out features[i]) || !float.IsFinite(features[i]))
            {
                return (0, $"{Columns[i]} '{fields[i]}' is not a number");
            }
        }

        var result = await engine.TryInferAsync(new InferenceRequest("delivery_eta", [InferenceTensor.Create("features", features, 1, Columns.Length)]));
        return result.Error is { } error ? (0, error.Message) : (result.Response!["eta_minutes"].AsSpan<float>()[0], null);
    }
}
