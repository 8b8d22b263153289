using Microsoft.ML.OnnxRuntime;
using SessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

namespace Augur.Baseline;

/// <summary>One model's highest version: its session, kept for the life of the process.</summary>
internal sealed record LoadedModel(string Version, InferenceSession Session, SessionOptions Options);
