namespace Augur.Models;

/// <summary>
/// How requests for a model wait and are grouped into batches (config.json <c>dynamic_batching</c>, names as
/// Triton's). Batching is on by default for models that batch: with no delay, requests that arrive while every
/// instance is busy run together in the next batch, so batching adds no latency when the model is idle.
/// </summary>
public sealed record DynamicBatchingConfig
{
    /// <summary>The defaults: batching on, no delay, unbounded queue, no timeout, one priority level.</summary>
    public static DynamicBatchingConfig Default { get; } = new();

    /// <summary>False runs every request as a batch of its own (<c>"dynamic_batching": false</c>). Default true.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Batch sizes (in samples) dispatched as soon as they can be formed. Default none.</summary>
    public IReadOnlyList<int> PreferredBatchSizes { get; init; } = [];

    /// <summary>How long a request may wait for peers when a batch is not full. Default 0: never wait for peers.</summary>
    public TimeSpan MaxQueueDelay { get; init; }

    /// <summary>
    /// True (the default) when config.json sets neither <c>max_queue_delay_microseconds</c> nor
    /// <c>preferred_batch_size</c>: the batcher then chooses its wait for peers itself, from the model's learned cost
    /// curve and its load (design note 0002). Either setting turns it off and is obeyed as Triton does.
    /// </summary>
    public bool TunesDelay { get; init; } = true;

    /// <summary>Requests that may wait at once; one more is rejected with 503. 0 (the default) means unbounded.</summary>
    public int MaxQueueSize { get; init; }

    /// <summary>How long a request may wait in the queue unless it sets its own <c>timeout</c>; null (the default) means no limit.</summary>
    public TimeSpan? DefaultTimeout { get; init; }

    /// <summary>Number of priority levels; level 1 is served first. Default 1.</summary>
    public int PriorityLevels { get; init; } = 1;

    /// <summary>The level of requests that do not set <c>priority</c> (or set 0). Default: the lowest level.</summary>
    public int? DefaultPriorityLevel { get; init; }

    /// <summary>The latency the model should meet; when set, the batch size adapts to it. Default none.</summary>
    public LatencyObjective? LatencyObjective { get; init; }

    /// <summary>The level used for requests without a priority.</summary>
    public int EffectiveDefaultPriority => DefaultPriorityLevel ?? PriorityLevels;

    /// <summary>The most priority levels a model may declare.</summary>
    public const int MaxPriorityLevels = 16;
}
