using Augur.OnnxRuntime.Onnx;
using Augur.OnnxRuntime.Pipelines;
using Augur.OnnxRuntime.Pipelines.Featurizers;

namespace Augur.OnnxRuntime.Fusion;

/// <summary>Emits a pipeline's featurizer step with its checked settings as ONNX operators, its name as the prefix of its values.</summary>
internal static class FeaturizerEmitters
{
    /// <summary>Whether a featurizer of this kind needs ONNX Runtime's <c>com.microsoft</c> domain (MurmurHash3, Tokenizer).</summary>
    public static bool NeedsMicrosoftDomain(IFeaturizer featurizer) => featurizer is HashBucketsFeaturizer or TextNgramsFeaturizer;

    public static void Emit(OnnxGraphBuilder graph, FeaturizerStep step)
    {
        var input = step.Inputs[0];
        switch (step.Featurizer)
        {
            case ScaleFeaturizer scale:
                ScaleEmitter.Emit(graph, step.Name, input, step.Output, [.. scale.Offset], [.. scale.Scale]);
                break;
            case OneHotFeaturizer { IntegerCategories: { } integers }:
                OneHotEmitter.Emit(graph, step.Name, input, step.Output, integers);
                break;
            case OneHotFeaturizer { StringCategories: { } strings }:
                OneHotEmitter.Emit(graph, step.Name, input, step.Output, strings);
                break;
            case HashBucketsFeaturizer hash:
                HashBucketsEmitter.Emit(graph, step.Name, input, step.Output, hash.Buckets, hash.Seed);
                break;
            case TextNgramsFeaturizer text:
                TextNgramsEmitter.Emit(graph, step.Name, input, step.Output, text.Buckets, text.NgramMin, text.NgramMax, text.Lowercase, text.Seed);
                break;
            case ConcatFeaturizer:
                ConcatEmitter.Emit(graph, [.. step.Inputs], step.Output);
                break;
            default:
                throw new InvalidOperationException($"no emitter for featurizer {step.Featurizer.Kind}");
        }
    }
}
