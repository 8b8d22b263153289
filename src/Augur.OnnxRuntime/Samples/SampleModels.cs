using System.Text;

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

    /// <summary>
    /// Name of the pipeline sample (see <see cref="SentimentModel"/>): review text BYTES [batch, 1] → word and word-pair
    /// counts (the <c>text_ngrams</c> featurizer) → a linear ONNX head → <c>probability</c> FP32 [batch, 1] that the
    /// review is positive. Its version folder holds <c>pipeline.json</c> and <c>classifier.onnx</c>, no model.onnx.
    /// </summary>
    public const string Sentiment = "sentiment";

    /// <summary>The names of all sample models.</summary>
    public static IReadOnlyList<string> Names { get; } = [Fraud, DeliveryEta, ImageClassifier, Ranker, PumpMonitor, Sentiment];

    /// <summary>
    /// Writes every file of every sample model (<see cref="Files"/>) under <c>{repositoryDirectory}/{name}/</c>, creating
    /// directories and overwriting existing files.
    /// </summary>
    public static void WriteAll(string repositoryDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(repositoryDirectory);
        foreach (var name in Names)
        {
            foreach (var (path, bytes) in Files(name))
            {
                var file = Path.Combine(repositoryDirectory, name, path);
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                File.WriteAllBytes(file, bytes);
            }
        }
    }

    /// <summary>
    /// The files of the sample model called <paramref name="name"/>, by path relative to its model folder ('/'
    /// separated): <c>1/model.onnx</c> for the single-graph models, with the config.json <see cref="PumpMonitor"/>
    /// cannot be served without; <c>1/pipeline.json</c> and <c>1/classifier.onnx</c> for <see cref="Sentiment"/>. No
    /// other model configuration.
    /// </summary>
    public static IReadOnlyList<(string Path, byte[] Bytes)> Files(string name) => name switch
    {
        PumpMonitor => [("1/model.onnx", Build(name)), ("config.json", Encoding.UTF8.GetBytes(PumpMonitorModel.Config))],
        Sentiment => [("1/pipeline.json", Encoding.UTF8.GetBytes(SentimentModel.Pipeline)), ($"1/{SentimentModel.ClassifierFile}", SentimentModel.BuildClassifier())],
        _ => [("1/model.onnx", Build(name))],
    };

    /// <summary>Builds the model.onnx of the single-graph sample model called <paramref name="name"/>, one of <see cref="Names"/> but <see cref="Sentiment"/>.</summary>
    public static byte[] Build(string name) => name switch
    {
        Fraud => BuildFraud(),
        DeliveryEta => BuildDeliveryEta(),
        ImageClassifier => BuildImageClassifier(),
        Ranker => BuildRanker(),
        PumpMonitor => BuildPumpMonitor(),
        Sentiment => throw new ArgumentException($"'{Sentiment}' is a pipeline with no model.onnx; its files are Files(\"{Sentiment}\").", nameof(name)),
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
