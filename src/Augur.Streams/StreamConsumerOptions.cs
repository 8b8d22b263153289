namespace Augur.Streams;

/// <summary>What a <see cref="RedisStreamConsumer"/> reads, where it writes, and its limits. Defaults are documented per setting.</summary>
public sealed record StreamConsumerOptions
{
    /// <summary>The model every message is predicted with.</summary>
    public required string Model { get; init; }

    /// <summary>The model version; null (the default) takes the highest ready version.</summary>
    public string? ModelVersion { get; init; }

    /// <summary>The stream of requests: entries with a <c>body</c> field holding an OIP JSON infer request.</summary>
    public required string InputStream { get; init; }

    /// <summary>The stream each message's outcome is written to (one entry per input message).</summary>
    public required string OutputStream { get; init; }

    /// <summary>The consumer group; created (reading the input stream from its start) when missing.</summary>
    public required string Group { get; init; }

    /// <summary>This consumer's name in the group; unique per process. Default: host name and process id.</summary>
    public string Consumer { get; init; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>Deliveries a message gets before it is dead-lettered as failing. Default 3.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>Where invalid and repeatedly failing messages go, with the reason. Default <c>{InputStream}:dead</c>.</summary>
    public string? DeadLetterStream { get; init; }

    /// <summary>The dead-letter stream in effect.</summary>
    public string EffectiveDeadLetterStream => DeadLetterStream ?? $"{InputStream}:dead";

    /// <summary>Messages read but not yet finished; the consumer reads only when below it. Default 64.</summary>
    public int MaxInFlight { get; init; } = 64;

    /// <summary>
    /// How long a message may stay pending with another consumer before this one claims it (that consumer is taken
    /// for dead). Longer than any inference takes. Default 30 s.
    /// </summary>
    public TimeSpan ClaimMinIdle { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often pending messages of other consumers are looked for. Default 5 s.</summary>
    public TimeSpan ClaimInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long to wait before reading again when the stream had nothing new. Default 20 ms.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Checks the settings; returns what is wrong, or null.</summary>
    public string? Validate() =>
        string.IsNullOrWhiteSpace(Model) ? "a model is required"
        : string.IsNullOrWhiteSpace(InputStream) || string.IsNullOrWhiteSpace(OutputStream) || string.IsNullOrWhiteSpace(Group) ? "the input stream, output stream and group are required"
        : InputStream == OutputStream || InputStream == EffectiveDeadLetterStream ? "the output and dead-letter streams must differ from the input stream"
        : string.IsNullOrWhiteSpace(Consumer) ? "the consumer name must not be empty"
        : MaxAttempts < 1 ? $"max attempts must be at least 1, not {MaxAttempts}"
        : MaxInFlight < 1 ? $"max in flight must be at least 1, not {MaxInFlight}"
        : ClaimMinIdle <= TimeSpan.Zero || ClaimInterval <= TimeSpan.Zero || PollInterval <= TimeSpan.Zero ? "claim and poll intervals must be positive"
        : null;
}
