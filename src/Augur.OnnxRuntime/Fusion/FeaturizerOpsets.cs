using Augur.OnnxRuntime.Onnx;

namespace Augur.OnnxRuntime.Fusion;

/// <summary>The operator sets the featurizer emitters write against (design note 0014).</summary>
internal static class FeaturizerOpsets
{
    /// <summary>
    /// Opset 20: StringConcat (text_ngrams) is new in 20, and Equal compares strings (one_hot over BYTES) from 19. None of
    /// the operators the emitters use changed meaning after 20, so any later opset gives the same graphs.
    /// </summary>
    public const int MinimumOpset = 20;

    /// <summary>ONNX Runtime's contrib domain: MurmurHash3 and Tokenizer, both at version 1.</summary>
    public const string MicrosoftDomain = "com.microsoft";

    /// <summary>The version of <see cref="MicrosoftDomain"/> imported.</summary>
    public const long MicrosoftVersion = 1;

    /// <summary>Refuses a graph below <see cref="MinimumOpset"/>.</summary>
    public static void RequireDefault(OnnxGraphBuilder graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (graph.Opset < MinimumOpset)
        {
            throw new ArgumentException($"The featurizer operators need opset {MinimumOpset} or later; the graph imports {graph.Opset}.", nameof(graph));
        }
    }

    /// <summary>Refuses a graph below <see cref="MinimumOpset"/> and imports <see cref="MicrosoftDomain"/> if it is not yet.</summary>
    public static void RequireMicrosoft(OnnxGraphBuilder graph)
    {
        RequireDefault(graph);
        graph.ImportOpset(MicrosoftDomain, MicrosoftVersion);
    }
}
