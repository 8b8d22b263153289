using Augur.Batch.Input;
using Augur.Batch.Storage;

namespace Augur.Batch;

/// <summary>What a batch job reads, runs and writes. Defaults are stated per property.</summary>
public sealed record BatchJobOptions
{
    /// <summary>The model to run.</summary>
    public required string Model { get; init; }

    /// <summary>The model version; null runs the highest ready version.</summary>
    public string? ModelVersion { get; init; }

    /// <summary>A file path (CSV, JSONL, Parquet) or a SQL query.</summary>
    public required string Input { get; init; }

    /// <summary>The input's format. Default <see cref="InputFormat.Auto"/>.</summary>
    public InputFormat Format { get; init; } = InputFormat.Auto;

    /// <summary>The database a SQL input runs against. Default: the output store.</summary>
    public StoreLocation? InputDatabase { get; init; }

    /// <summary>Where predictions go.</summary>
    public required StoreLocation Output { get; init; }

    /// <summary>The job id: re-running with the same id resumes. Default: derived from model, input and shard count.</summary>
    public string? JobId { get; init; }

    /// <summary>This process's shard, from 0. Default 0.</summary>
    public int ShardIndex { get; init; }

    /// <summary>How many shards the input is split into (rows whose id modulo this is <see cref="ShardIndex"/>). Default 1.</summary>
    public int ShardCount { get; init; } = 1;

    /// <summary>Input-to-column mapping entries (<c>INPUT=COLUMNS</c>), see <see cref="Mapping.InputMapping"/>.</summary>
    public IReadOnlyList<string> Map { get; init; } = [];

    /// <summary>A JSON mapping file; entries in <see cref="Map"/> override it.</summary>
    public string? MappingFile { get; init; }

    /// <summary>The column whose value is a row's key for retrieval. Default: none, the key is the row id.</summary>
    public string? KeyColumn { get; init; }

    /// <summary>Input columns copied into each stored prediction (JSON object). Default: none.</summary>
    public IReadOnlyList<string> IncludeColumns { get; init; } = [];

    /// <summary>Rows per committed chunk (the unit of checkpointing). Default 2048.</summary>
    public int ChunkSize { get; init; } = 2048;

    /// <summary>Chunks predicted at once; each submits all its requests concurrently. Default: the processor count, at least 2.</summary>
    public int Concurrency { get; init; } = Math.Max(2, Environment.ProcessorCount);

    /// <summary>Rows per inference request. Default: the model's max batch size (1 for a model that does not batch).</summary>
    public int? RequestRows { get; init; }

    /// <summary>Bad rows tolerated before the job stops with <see cref="BatchExitCode.TooManyErrors"/>; -1 for no limit. Default 1000.</summary>
    public long MaxErrors { get; init; } = 1000;

    /// <summary>Counts the rows of CSV and JSONL files first so progress can show a total and an ETA. Default false.</summary>
    public bool CountRows { get; init; }

    /// <summary>
    /// How long this run's hold on its shard lives without a heartbeat; another run of the shard takes it over only
    /// after this long without one (by the database's clock). Default 30 s.
    /// </summary>
    public TimeSpan LeaseTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the lease is renewed (each commit renews it too). Default: a third of <see cref="LeaseTimeout"/>.</summary>
    public TimeSpan? HeartbeatInterval { get; init; }

    /// <summary>Who holds the lease, as other runs and <c>augur batch status</c> show it. Default: host name and process id, <c>host:pid</c>.</summary>
    public string LeaseHolder { get; init; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>Checks the settings; throws a usage <see cref="BatchJobException"/> naming the first bad one.</summary>
    public void Validate()
    {
        static void Fail(string message) => throw new BatchJobException(BatchExitCode.UsageError, message);
        if (string.IsNullOrWhiteSpace(Model))
        {
            Fail("--model is required");
        }

        if (ShardCount < 1 || ShardIndex < 0 || ShardIndex >= ShardCount)
        {
            Fail($"shard {ShardIndex}/{ShardCount} is not valid: the index must be from 0 to count - 1");
        }

        if (ChunkSize is < 1 or > 1_000_000)
        {
            Fail($"--chunk-size {ChunkSize} must be from 1 to 1000000");
        }

        if (Concurrency is < 1 or > 1024)
        {
            Fail($"--concurrency {Concurrency} must be from 1 to 1024");
        }

        if (RequestRows is < 1)
        {
            Fail($"--request-rows {RequestRows} must be at least 1");
        }

        if (MaxErrors < -1)
        {
            Fail($"--max-errors {MaxErrors} must be -1 (no limit) or more");
        }

        if (LeaseTimeout < TimeSpan.FromSeconds(1) || LeaseTimeout > TimeSpan.FromHours(24))
        {
            Fail($"--lease-timeout {ShardLeaseInfo.Seconds(LeaseTimeout)} must be from 1 s to 24 h");
        }

        if (HeartbeatInterval is { } beat && (beat < TimeSpan.FromMilliseconds(100) || beat >= LeaseTimeout))
        {
            Fail($"--heartbeat-interval {ShardLeaseInfo.Seconds(beat)} must be at least 0.1 s and less than --lease-timeout ({ShardLeaseInfo.Seconds(LeaseTimeout)})");
        }

        if (string.IsNullOrWhiteSpace(LeaseHolder) || LeaseHolder.Length > 200)
        {
            Fail("the lease holder must be 1 to 200 characters");
        }

        if (JobId is not null && (JobId.Length is 0 or > 200 || JobId.Any(char.IsControl)))
        {
            Fail("--job-id must be 1 to 200 printable characters");
        }
    }
}
