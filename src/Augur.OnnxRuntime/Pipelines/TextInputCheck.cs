using Augur.Errors;
using Augur.Inference;
using Augur.OnnxRuntime.Pipelines.Featurizers;

namespace Augur.OnnxRuntime.Pipelines;

/// <summary>
/// Refuses a request whose text (a pipeline input that a <c>text_ngrams</c> step reads) is not valid UTF-8, before any
/// step runs, fused or not: a 400 naming the input, the row within the request and the first byte at fault.
/// </summary>
internal static class TextInputCheck
{
    public static InferenceError? Check(string model, PipelinePlan plan, IReadOnlyList<InferenceRequest> batch)
    {
        foreach (var (input, step) in plan.TextInputs)
        {
            foreach (var request in batch)
            {
                var values = request.FindInput(input)!.GetBytesElements();
                for (var row = 0; row < values.Length; row++)
                {
                    if (Utf8Text.Problem(values[row].Span) is { } problem)
                    {
                        // The batcher reruns a failed batch request by request, so the row is the request's own.
                        return InferenceError.Invalid($"model '{model}': input '{input}' row {row}: {problem}; {step.Describe()} reads it as text");
                    }
                }
            }
        }

        return null;
    }
}
