namespace Augur.OnnxRuntime.Samples;

/// <summary>
/// The sample models Augur ships with, built in code so the repository needs no binary files. Every
/// build produces the same bytes: training and fitting are seeded, single-threaded and platform-independent.
/// </summary>
public static class SampleModels
{
    /// <summary>
    /// Name of the fraud-scoring classifier: input <c>features</c> FP32 [batch, 8] (see <see cref="FraudData"/>),
    /// outputs <c>probability</c> FP32 [batch, 1] and <c>label</c> INT64 [batch, 1] (1 when probability ≥ 0.5).
    /// </summary>
    public const string Fraud = "fraud";

    /// <summary>
    /// Name of the food-delivery ETA regression: input <c>features</c> FP32 [batch, 4] (see <see cref="DeliveryData"/>),
    /// output <c>eta_minutes</c> FP32 [batch, 1].
    /// </summary>
    public const string DeliveryEta = "delivery_eta";

    /// <summary>
    /// Name of the benchmark CNN: input <c>image</c> FP32 [batch, 3, 32, 32], output <c>probabilities</c>
    /// FP32 [batch, 10] (softmax). Its weights are random, not trained: it exists to cost compute.
    /// </summary>
    public const string ImageClassifier = "image_classifier";

    /// <summary>
    /// Name of the benchmark ranking MLP: input <c>features</c> FP32 [batch, 256], output <c>score</c> FP32
    /// [batch, 1] (sigmoid). Its weights are random, not trained: it exists to cost matrix-vector work per
    /// sample, which batching turns into matrix-matrix work.
    /// </summary>
    public const string Ranker = "ranker";

    /// <summary>
    /// Name of the streaming predictive-maintenance sample (see <see cref="PumpMonitorModel"/>): a stateful sequence model,
    /// one pump per sequence; client input <c>reading</c> FP32 [batch, 3], output <c>anomaly_score</c> FP32 [batch, 1].
    /// Needs its config.json (<see cref="PumpMonitorModel.Config"/>), which <see cref="WriteAll"/> writes too.
    /// </summary>
    public const string PumpMonitor = "pump_monitor";

    /// <summary>The names of all sample models.</summary>
    public static IReadOnlyList<string> Names { get; } = [Fraud, DeliveryEta, ImageClassifier, Ranker, PumpMonitor];

    /// <summary>
    /// Writes <c>{repositoryDirectory}/{name}/1/model.onnx</c> for every sample model, creating directories
    /// and overwriting existing files. Writes no model configuration, except the config.json that
    /// <see cref="PumpMonitor"/> cannot be served without.
    /// </summary>
    public static void WriteAll(string repositoryDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(repositoryDirectory);
        foreach (var name in Names)
        {
            var versionDirectory = Path.Combine(repositoryDirectory, name, "1");
            Directory.CreateDirectory(versionDirectory);
            File.WriteAllBytes(Path.Combine(versionDirectory, "model.onnx"), Build(name));
            if (name == PumpMonitor)
            {
                File.WriteAllText(Path.Combine(repositoryDirectory, name, "config.json"), PumpMonitorModel.Config);
            }
        }
    }

    /// <summary>Builds the sample model called <paramref name="name"/>, one of <see cref="Names"/>.</summary>
    public static byte[] Build(string name) => name switch
    {
        Fraud => BuildFraud(),
        DeliveryEta => BuildDeliveryEta(),
        ImageClassifier => BuildImageClassifier(),
        Ranker => BuildRanker(),
        PumpMonitor => BuildPumpMonitor(),
        _ => throw new ArgumentException($"There is no sample model '{name}'.", nameof(name)),
    };

    /// <summary>The fraud MLP (8 → 16 Relu → 1 sigmoid), trained on <see cref="FraudData.Generate"/> with <see cref="FraudData.TrainingSeed"/>.</summary>
    public static byte[] BuildFraud() => FraudModel.Build();

    /// <summary>The delivery ETA regression, least-squares fitted on <see cref="DeliveryData.Generate"/> with <see cref="DeliveryData.TrainingSeed"/>.</summary>
    public static byte[] BuildDeliveryEta() => DeliveryEtaModel.Build();

    /// <summary>The untrained benchmark CNN (three 3×3 convolutions, global average pool, dense, softmax).</summary>
    public static byte[] BuildImageClassifier() => ImageClassifierModel.Build();

    /// <summary>The untrained benchmark ranker (nine 1024-wide Relu dense layers, sigmoid score), FP16 weights windowed from one random pool.</summary>
    public static byte[] BuildRanker() => RankerModel.Build();

    /// <summary>The hand-set pump anomaly model (window statistics and recurrent energy, see <see cref="PumpMonitorModel"/>).</summary>
    public static byte[] BuildPumpMonitor() => PumpMonitorModel.Build();
}
