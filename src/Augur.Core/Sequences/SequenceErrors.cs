using Augur.Errors;

namespace Augur.Sequences;

/// <summary>The sequence errors clients see; each names the sequence and the model.</summary>
internal static class SequenceErrors
{
    public static InferenceError NotASequenceModel(string model) =>
        InferenceError.Invalid($"model '{model}' does not keep sequences (no sequence_batching in its config.json); send sequence_id, sequence_start and sequence_end only to a stateful model");

    public static InferenceError MissingSequenceId(string model) =>
        InferenceError.Invalid($"model '{model}' is a stateful sequence model: every request needs a sequence_id (and sequence_start on its first step)");

    public static InferenceError EmptySequenceId(string model) =>
        InferenceError.Invalid($"sequence_id for model '{model}' must not be empty");

    public static InferenceError EngineFedInput(string model, string input, string section) =>
        InferenceError.Invalid($"input '{input}' of model '{model}' is fed by the engine from the sequence ({section}); the request must not send it");

    public static InferenceError OneReadingPerStep(string model, string sequence, long rows) =>
        InferenceError.Invalid($"sequence '{sequence}' of model '{model}': a step carries one sample (batch size 1), not {rows}");

    public static InferenceError Unknown(string model, string sequence, TimeSpan idle) =>
        InferenceError.Invalid($"sequence '{sequence}' of model '{model}' is unknown or expired (idle for more than {idle.TotalSeconds:0.######} s); its first step must carry sequence_start");

    public static InferenceError Ended(string model, string sequence) =>
        InferenceError.Invalid($"sequence '{sequence}' of model '{model}' has ended; start it again with sequence_start");

    public static InferenceError TooMany(string model, int limit) =>
        new(ErrorCode.ResourceExhausted, $"model '{model}' already has {limit} live sequences (sequence_batching.max_sequences); end a sequence (sequence_end) or wait for idle ones to expire");

    public static InferenceError Cancelled(string model, string sequence) =>
        new(ErrorCode.Cancelled, $"the request was cancelled while waiting for the previous step of sequence '{sequence}' of model '{model}'");

    public static InferenceError Unloading(string model) => InferenceError.Unavailable($"model '{model}' is being unloaded");
}
