using Augur.Tensors;

namespace Augur.Models;

/// <summary>
/// Stateful sequences (config.json <c>sequence_batching</c>, names as Triton's where Triton has them). Each request is a
/// step of a sequence named by its <c>sequence_id</c>; the engine keeps the sequence's state between steps, runs its steps
/// one at a time in arrival order, and batches steps of different sequences together through the dynamic batcher.
/// </summary>
public sealed record SequenceBatchingConfig
{
    /// <summary>The default idle timeout, as Triton's: one second.</summary>
    public static readonly TimeSpan DefaultMaxSequenceIdle = TimeSpan.FromSeconds(1);

    /// <summary>The default bound on live sequences.</summary>
    public const int DefaultMaxSequences = 1000;

    /// <summary>The most readings a time-only window keeps per sequence (<see cref="SequenceFeatureConfig.LastSeconds"/> without <c>last_readings</c>).</summary>
    public const int MaxTimeWindowReadings = 4096;

    /// <summary>
    /// A sequence that receives no step for this long is released; a later step without <c>sequence_start</c> then fails
    /// (or starts afresh with <see cref="ImplicitStart"/>). Default one second (<c>max_sequence_idle_microseconds</c>).
    /// </summary>
    public TimeSpan MaxSequenceIdle { get; init; } = DefaultMaxSequenceIdle;

    /// <summary>How many sequences may be live at once; a step that would start one more fails with ResourceExhausted. Default 1000.</summary>
    public int MaxSequences { get; init; } = DefaultMaxSequences;

    /// <summary>
    /// True lets a step of an unknown (or expired, or ended) sequence start it with fresh state instead of failing, for
    /// sources that never send <c>sequence_start</c> (sensors). Default false.
    /// </summary>
    public bool ImplicitStart { get; init; }

    /// <summary>Recurrent state: a model output fed back as a model input on the next step (Triton's <c>state</c>).</summary>
    public IReadOnlyList<SequenceStateConfig> States { get; init; } = [];

    /// <summary>Windows of past inputs: the last N values of a client input, fed to a model input.</summary>
    public IReadOnlyList<SequenceWindowConfig> Windows { get; init; } = [];

    /// <summary>Windowed aggregates of a client input (count, mean, min, max), fed to a model input.</summary>
    public IReadOnlyList<SequenceFeatureConfig> Features { get; init; } = [];
}

/// <summary>
/// One recurrent state tensor: the model input <paramref name="InputName"/> receives what the model output
/// <paramref name="OutputName"/> produced on the sequence's previous step, zeros on its first step. Neither is visible to
/// clients.
/// </summary>
/// <param name="InputName">The model input that receives the state.</param>
/// <param name="OutputName">The model output that produces the next state.</param>
/// <param name="DataType">The state's element type.</param>
/// <param name="Dims">The state's shape without the batch dimension; fixed sizes only.</param>
public sealed record SequenceStateConfig(string InputName, string OutputName, DataType DataType, long[] Dims);

/// <summary>
/// A window of past inputs: the model input <paramref name="InputName"/> receives the last <paramref name="Length"/>
/// values of the client input <paramref name="Source"/> (the current one included), oldest first, zeros where the
/// sequence has fewer. FP32; its shape is <c>[Length, source dims...]</c> (without the batch dimension), or any shape of
/// as many elements.
/// </summary>
/// <param name="InputName">The model input that receives the window.</param>
/// <param name="Source">The client input whose values are kept.</param>
/// <param name="Length">How many readings the window holds.</param>
public sealed record SequenceWindowConfig(string InputName, string Source, int Length);

/// <summary>The aggregates a <see cref="SequenceFeatureConfig"/> can compute.</summary>
public enum SequenceAggregate
{
    /// <summary>How many readings are in the window (the current one included).</summary>
    Count,
    /// <summary>The arithmetic mean of the readings in the window.</summary>
    Mean,
    /// <summary>The smallest reading in the window.</summary>
    Min,
    /// <summary>The largest reading in the window.</summary>
    Max,
}

/// <summary>
/// Windowed aggregates of the client input <paramref name="Source"/> over the sequence's readings (the current one
/// included): the last <paramref name="LastReadings"/> readings, those that arrived at most <paramref name="LastSeconds"/>
/// before the current one, or both limits at once. The model input <paramref name="InputName"/> (FP32) receives, for each
/// aggregate in order, one value per element of the source: <c>[aggregates × source elements]</c> without the batch dimension.
/// </summary>
/// <param name="InputName">The model input that receives the aggregates.</param>
/// <param name="Source">The client input aggregated (FP32).</param>
/// <param name="Aggregates">Which aggregates, in the order the model receives them.</param>
/// <param name="LastReadings">At most this many readings; null for no count limit.</param>
/// <param name="LastSeconds">Only readings that arrived at most this long before the current one; null for no time limit.</param>
public sealed record SequenceFeatureConfig(string InputName, string Source, IReadOnlyList<SequenceAggregate> Aggregates, int? LastReadings, TimeSpan? LastSeconds)
{
    /// <summary>How many readings the sequence must keep for this window.</summary>
    public int Capacity => LastReadings ?? SequenceBatchingConfig.MaxTimeWindowReadings;
}
