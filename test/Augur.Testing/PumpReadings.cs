namespace Augur.Testing;

/// <summary>
/// Sensor readings for the pump_monitor sample and the model's formula computed by hand, so tests can check each
/// pump's anomaly scores against its own history.
/// </summary>
public static class PumpReadings
{
    /// <summary>
    /// Pump <paramref name="pump"/>'s first <paramref name="count"/> readings [vibration, temperature, current]: steady
    /// with a small deterministic wobble; pump 5's vibration drifts upward from step 15.
    /// </summary>
    public static float[][] Series(int pump, int count = 30) => Enumerable.Range(0, count).Select(step =>
    {
        var wobble = (float)(((step * 7) + (pump * 3)) % 5) / 10f;
        var drift = pump == 5 && step >= 15 ? (step - 14) * 1.5f : 0f;
        return new[] { 2.0f + wobble + drift, 60f + wobble, 4.0f + (wobble / 4) };
    }).ToArray();

    /// <summary>The model's formula, step by step: mean, min and max over the last 20 readings, the energy carried over.</summary>
    public static float[] ExpectedScores(float[][] readings)
    {
        float[] tolerance = [0.5f, 1.0f, 0.2f];
        float[] weights = [0.5f, 0.3f, 0.2f];
        var scores = new float[readings.Length];
        var energy = 0.0;
        for (var t = 0; t < readings.Length; t++)
        {
            var window = readings[Math.Max(0, t - 19)..(t + 1)];
            var surprise = 0.0;
            for (var s = 0; s < 3; s++)
            {
                var mean = window.Average(r => (double)r[s]);
                var range = window.Max(r => r[s]) - window.Min(r => r[s]);
                surprise += weights[s] * Math.Abs(readings[t][s] - mean) / (range + tolerance[s]);
            }

            energy = (0.8 * energy) + surprise;
            scores[t] = (float)(1 / (1 + Math.Exp(-6 * (energy - 1.0))));
        }

        return scores;
    }
}
