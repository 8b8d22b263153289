using Augur.OnnxRuntime.Onnx;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Samples;

/// <summary>
/// The streaming sample: predictive maintenance of a pump. Each step of a sequence (one pump) is one sensor reading; the
/// engine feeds the model the reading's window statistics and the pump's recurrent "anomaly energy", and the model
/// returns an anomaly score per reading. Hand-set, not trained: every number below is the whole model.
/// </summary>
/// <remarks>
/// <code>
/// deviation     = |reading − mean| / (max − min + tolerance)        per sensor, over the last 20 readings
/// surprise      = deviation · weights
/// energy_out    = decay × energy_in + surprise                      recurrent state, 0 on a pump's first reading
/// anomaly_score = sigmoid(gain × (energy_out − threshold))
/// </code>
/// A reading far from its recent range raises the energy; the energy decays over calm readings, so one spike scores
/// lower than a sustained drift.
/// </remarks>
public static class PumpMonitorModel
{
    /// <summary>Sensors per reading: vibration (mm/s RMS), bearing temperature (°C), discharge pressure (bar).</summary>
    public const int Sensors = 3;

    /// <summary>Readings in the statistics window (config.json <c>last_readings</c>).</summary>
    public const int WindowReadings = 20;

    /// <summary>Added to each sensor's recent range, so a steady sensor does not divide by zero: mm/s, °C, bar.</summary>
    public static readonly float[] Tolerance = [0.5f, 1.0f, 0.2f];

    /// <summary>How much each sensor's deviation counts.</summary>
    public static readonly float[] Weights = [0.5f, 0.3f, 0.2f];

    /// <summary>How much energy survives from one reading to the next.</summary>
    public const float Decay = 0.8f;

    /// <summary>The energy at which the score is 0.5.</summary>
    public const float Threshold = 1.0f;

    /// <summary>The steepness of the score around <see cref="Threshold"/>.</summary>
    public const float Gain = 6.0f;

    internal static byte[] Build()
    {
        var builder = new OnnxGraphBuilder(SampleModels.PumpMonitor)
            .AddInput("reading", DataType.Fp32, -1, Sensors)
            .AddInput("window_stats", DataType.Fp32, -1, 3 * Sensors)
            .AddInput("energy_in", DataType.Fp32, -1, 1)
            .AddOutput("anomaly_score", DataType.Fp32, -1, 1)
            .AddOutput("energy_out", DataType.Fp32, -1, 1);

        var axis = builder.AddInitializer("stats_axis", [1L], 1);
        string Slice(string name, long from)
        {
            var start = builder.AddInitializer($"{name}_start", [from], 1);
            var end = builder.AddInitializer($"{name}_end", [from + Sensors], 1);
            builder.AddNode("Slice", ["window_stats", start, end, axis], [name]);
            return name;
        }

        // window_stats is [mean × 3, min × 3, max × 3] (the aggregates in config order, one value per sensor).
        var mean = Slice("mean", 0);
        var min = Slice("min", Sensors);
        var max = Slice("max", 2 * Sensors);
        var tolerance = builder.AddInitializer("tolerance", Tolerance, Sensors);
        var weights = builder.AddInitializer("weights", Weights, Sensors, 1);
        var decay = builder.AddInitializer("decay", [Decay]);
        var threshold = builder.AddInitializer("threshold", [Threshold]);
        var gain = builder.AddInitializer("gain", [Gain]);
        return builder
            .AddNode("Sub", ["reading", mean], ["offset"])
            .AddNode("Abs", ["offset"], ["distance"])
            .AddNode("Sub", [max, min], ["range"])
            .AddNode("Add", ["range", tolerance], ["scale"])
            .AddNode("Div", ["distance", "scale"], ["deviation"])
            .AddNode("MatMul", ["deviation", weights], ["surprise"])
            .AddNode("Mul", ["energy_in", decay], ["carried"])
            .AddNode("Add", ["carried", "surprise"], ["energy_out"])
            .AddNode("Sub", ["energy_out", threshold], ["excess"])
            .AddNode("Mul", ["excess", gain], ["logit"])
            .AddNode("Sigmoid", ["logit"], ["anomaly_score"])
            .ToBytes();
    }

    /// <summary>
    /// The config.json the sample ships with: sequences that start implicitly (sensors never send a start), idle for a
    /// minute at most, the energy as recurrent state and mean, min and max over the last 20 readings.
    /// </summary>
    public const string Config = """
        {
          "max_batch_size": 64,
          "instance_count": 1,
          "dynamic_batching": { "max_queue_delay_microseconds": 500 },
          "sequence_batching": {
            "max_sequence_idle_microseconds": 60000000,
            "max_sequences": 10000,
            "implicit_start": true,
            "state": [{ "input_name": "energy_in", "output_name": "energy_out", "datatype": "FP32", "dims": [1] }],
            "features": [{ "input_name": "window_stats", "source": "reading", "aggregates": ["mean", "min", "max"], "last_readings": 20 }]
          },
          "parameters": { "intra_op_threads": "1" }
        }

        """;
}
