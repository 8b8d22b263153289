using System.Text.Json;

namespace Augur.OnnxRuntime.Pipelines.Featurizers;

/// <summary>The built-in featurizers by kind (design note 0013).</summary>
internal static class FeaturizerCatalog
{
    /// <summary>Every kind, in the order messages list them.</summary>
    public static IReadOnlyList<string> Kinds { get; } =
        [ScaleFeaturizer.Name, OneHotFeaturizer.Name, HashBucketsFeaturizer.Name, TextNgramsFeaturizer.Name, ConcatFeaturizer.Name];

    /// <summary>The featurizer of <paramref name="kind"/> with its settings checked; a <see cref="FormatException"/> says what is wrong.</summary>
    public static IFeaturizer Create(string kind, JsonElement settings) => kind switch
    {
        ScaleFeaturizer.Name => new ScaleFeaturizer(new FeaturizerSettings(kind, settings, "offset", "scale")),
        OneHotFeaturizer.Name => new OneHotFeaturizer(new FeaturizerSettings(kind, settings, "categories")),
        HashBucketsFeaturizer.Name => new HashBucketsFeaturizer(new FeaturizerSettings(kind, settings, "buckets", "seed")),
        TextNgramsFeaturizer.Name => new TextNgramsFeaturizer(new FeaturizerSettings(kind, settings, "buckets", "ngram_min", "ngram_max", "lowercase", "seed")),
        ConcatFeaturizer.Name => Concat(new FeaturizerSettings(kind, settings)),
        _ => throw new FormatException($"unknown featurizer '{kind}'; known: {string.Join(", ", Kinds)}"),
    };

    // Constructing the settings refuses any setting: concat has none.
    private static ConcatFeaturizer Concat(FeaturizerSettings settings) => new();
}
