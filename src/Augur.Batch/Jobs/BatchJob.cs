using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Augur.Batch.Input;
using Augur.Batch.Jobs;
using Augur.Batch.Mapping;
using Augur.Batch.Storage;

namespace Augur.Batch;

/// <summary>
/// Runs a batch job: reads the input in order, keeps this shard's rows (row id modulo shard count), groups them into
/// chunks of <see cref="BatchJobOptions.ChunkSize"/>, predicts several chunks at once through the engine, and commits
/// each chunk's predictions, bad rows and checkpoint in one transaction. Chunks an earlier run committed are skipped,
/// so re-running the same job after a crash stores every row exactly once.
/// </summary>
public sealed class BatchJob
{
    private readonly InferenceEngine _engine;
    private readonly BatchJobOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Creates a job; nothing runs until <see cref="RunAsync"/>.</summary>
    public BatchJob(InferenceEngine engine, BatchJobOptions options, TimeProvider? time = null)
    {
        _engine = engine;
        _options = options;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Test hook: called before and after each chunk's commit; an exception from it fails the job there, as a crash would.</summary>
    internal Func<CommitPoint, long, ValueTask>? OnCommit { get; init; }

    /// <summary>The job id <see cref="RunAsync"/> uses when none is given: a hash of model, input and shard count.</summary>
    public static string DefaultJobId(BatchJobOptions options)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{options.Model}\n{options.ModelVersion}\n{options.Input}\n{options.ShardCount}"));
        return $"{options.Model}-{Convert.ToHexStringLower(hash)[..12]}";
    }

    /// <summary>
    /// Runs the job to its end and says how it ended; expected failures (bad options, bad rows, a failing model or
    /// database, a shard another run holds) are results, not exceptions. Cancelling stops reading, commits the chunks
    /// already read, and returns <see cref="BatchExitCode.Cancelled"/>.
    /// </summary>
    /// <remarks>
    /// The run holds its shard's lease from before it opens the input (a run refused for a held shard must not read
    /// a pipe the holder reads) to its end, renewing it every heartbeat and with every commit, and releases it
    /// however it ends; only a run that lost its lease leaves it to the run that took it.
    /// </remarks>
    public async Task<BatchJobResult> RunAsync(IProgress<BatchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var jobId = _options.JobId ?? DefaultJobId(_options);
        var started = Stopwatch.StartNew();
        string? version = null;
        PredictionStore? store = null;
        ShardLease? lease = null;
        ShardLeaseInfo? takenOver = null;
        LeaseKeeper? keeper = null;
        IRowSource? source = null;
        var counts = new Counts();
        try
        {
            _options.Validate();
            if (!_engine.TryGetMetadata(_options.Model, _options.ModelVersion, out var metadata, out var error))
            {
                throw new BatchJobException(BatchExitCode.UsageError, $"model '{_options.Model}': {error!.Message}");
            }

            version = _options.ModelVersion ?? metadata.Versions[0];
            RowSources.Check(_options.Input, _options.Format, _options.InputDatabase ?? _options.Output);
            try
            {
                store = await PredictionStore.OpenAsync(_options.Output, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or IOException or InvalidOperationException)
            {
                throw new BatchJobException(BatchExitCode.UsageError, $"cannot open the output store '{_options.Output.Display}': {ex.Message}", ex);
            }

            var acquisition = await store.TryAcquireLeaseAsync(jobId, _options.ShardIndex, _options.LeaseHolder, _options.LeaseTimeout, cancellationToken).ConfigureAwait(false);
            if (!acquisition.Acquired)
            {
                throw new BatchJobException(BatchExitCode.ShardHeld,
                    $"job '{jobId}' shard {ShardName} is held by another run: {acquisition.HeldBy.Describe()}. " +
                    "It is taken over only once its holder has not beaten for its lease timeout; re-run then, or after the holder ends.");
            }

            (lease, takenOver) = (acquisition.Lease, acquisition.TakenOverFrom);
            keeper = new LeaseKeeper(store, lease, _options.HeartbeatInterval ?? _options.LeaseTimeout / 3, _time);

            source = await OpenInputAsync(cancellationToken).ConfigureAwait(false);
            var batches = metadata.MaxBatchSize > 0;
            var bindings = InputMapping.Bind(metadata.Signature, batches, source.Columns, InputMapping.Parse(_options.Map, _options.MappingFile));
            var keyOrdinal = _options.KeyColumn is null ? -1 : Ordinal(source.Columns, _options.KeyColumn, "--key-column");
            var include = _options.IncludeColumns.Select(c => (c, Ordinal(source.Columns, c, "--include"))).ToArray();
            var requestRows = batches ? Math.Min(_options.RequestRows ?? metadata.MaxBatchSize, metadata.MaxBatchSize) : 1;
            var predictor = new ChunkPredictor(_engine, _options.Model, _options.ModelVersion, bindings, batches, requestRows, keyOrdinal, include);

            var shard = new ShardIdentity(jobId, _options.ShardIndex, _options.ShardCount, _options.Model, _options.Input, _options.ChunkSize);
            var checkpoint = await store.BeginShardAsync(shard, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            counts.Written = checkpoint.RowsWritten;
            counts.Failed = checkpoint.RowsFailed;
            if (TooManyErrors(counts.Failed))
            {
                throw new BatchJobException(BatchExitCode.TooManyErrors, $"the job already has {counts.Failed} bad rows, more than --max-errors {_options.MaxErrors}");
            }

            long? total = source.TotalRows is { } rows ? (rows / _options.ShardCount) + (_options.ShardIndex < rows % _options.ShardCount ? 1 : 0) : null;
            var reading = source;
            source = null; // the pipeline's reader disposes it when it ends
            await PipelineAsync(reading, predictor, store, lease, keeper.Lost, checkpoint, counts, total, progress, cancellationToken).ConfigureAwait(false);
            await keeper.DisposeAsync().ConfigureAwait(false);

            var code = cancellationToken.IsCancellationRequested ? BatchExitCode.Cancelled : counts.Failed > 0 ? BatchExitCode.CompletedWithErrors : BatchExitCode.Completed;
            var message = code == BatchExitCode.Cancelled ? "cancelled; re-run the same command to resume" : null;
            if (keeper.IsLost || !await store.FinishShardAsync(lease, StateName(code), message, _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false))
            {
                throw new BatchJobException(BatchExitCode.ShardHeld, await LostMessageAsync(store, lease, null).ConfigureAwait(false));
            }

            return new BatchJobResult(code, jobId, version, counts.Written, counts.Failed, counts.ThisRun, counts.Skipped, started.Elapsed, message, takenOver);
        }
        catch (Exception ex)
        {
            if (keeper is not null)
            {
                await keeper.DisposeAsync().ConfigureAwait(false);
            }

            var (code, message) = ex switch
            {
                BatchJobException job => (job.ExitCode, job.Message),
                OperationCanceledException when keeper is { IsLost: true } => (BatchExitCode.ShardHeld, await LostMessageAsync(store!, lease!, null).ConfigureAwait(false)),
                OperationCanceledException when cancellationToken.IsCancellationRequested => (BatchExitCode.Cancelled, "cancelled; re-run the same command to resume"),
                System.Data.Common.DbException db => (BatchExitCode.Failed, $"database error: {db.Message}"),
                _ => (BatchExitCode.Failed, $"{ex.GetType().Name}: {ex.Message}"),
            };
            if (store is not null && lease is not null && code != BatchExitCode.ShardHeld)
            {
                try
                {
                    // A usage error found after the lease was taken (columns that do not fit, a job id reused) leaves the
                    // shard as it was: no state to record, only the lease to give back.
                    _ = code == BatchExitCode.UsageError
                        ? await store.ReleaseLeaseAsync(lease, CancellationToken.None).ConfigureAwait(false)
                        : await store.FinishShardAsync(lease, StateName(code), message, _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception) when (code == BatchExitCode.Failed)
                {
                    // The store itself failed; the exit code and message still say so, and the lease expires.
                }
            }

            return new BatchJobResult(code, jobId, version, counts.Written, counts.Failed, counts.ThisRun, counts.Skipped, started.Elapsed, message, takenOver);
        }
        finally
        {
            if (source is not null)
            {
                await source.DisposeAsync().ConfigureAwait(false);
            }

            if (store is not null)
            {
                await store.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Opens the input; a stop gives up waiting for it, since a named pipe's open and first read wait for a writer
    /// that may never come. An input that opens after that is closed then.
    /// </summary>
    private async Task<IRowSource> OpenInputAsync(CancellationToken cancellationToken)
    {
        var opening = RowSources.OpenAsync(_options.Input, _options.Format, _options.InputDatabase ?? _options.Output, _options.CountRows, cancellationToken);
        try
        {
            return await opening.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _ = opening.ContinueWith(t => t.Result.DisposeAsync().AsTask(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            throw;
        }
    }

    private string ShardName => $"{_options.ShardIndex}/{_options.ShardCount}";

    /// <summary>Why this run stopped when another took its lease over, naming that run.</summary>
    private async Task<string> LostMessageAsync(PredictionStore store, ShardLease lease, long? chunk)
    {
        ShardLeaseInfo? holder = null;
        try
        {
            holder = await store.GetLeaseAsync(lease.JobId, lease.Shard, CancellationToken.None).ConfigureAwait(false);
        }
        catch (System.Data.Common.DbException)
        {
            // The message names no holder then.
        }

        return $"job '{lease.JobId}' shard {ShardName}: another run took this run's lease over ({(holder is null ? "it has released it since" : $"now held by {holder.Describe()}")}), " +
            $"because this run had not renewed it for longer than its lease timeout ({ShardLeaseInfo.Seconds(lease.Timeout)}); " +
            $"this run stopped without committing {(chunk is { } index ? $"chunk {index}" : "more")}. The other run resumes the shard; no row is stored twice.";
    }

    private async Task PipelineAsync(
        IRowSource source, ChunkPredictor predictor, PredictionStore store, ShardLease lease, CancellationToken leaseLost, ShardCheckpoint checkpoint, Counts counts, long? total,
        IProgress<BatchProgress>? progress, CancellationToken cancellationToken)
    {
        // A lost lease stops everything at once: no more reading or predicting for a shard this run cannot commit to.
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(leaseLost);
        var chunks = Channel.CreateBounded<(long Index, List<(long, SourceRow)> Rows)>(new BoundedChannelOptions(_options.Concurrency) { SingleWriter = true });
        var results = Channel.CreateBounded<Task<ChunkResult>>(new BoundedChannelOptions(_options.Concurrency) { SingleWriter = true, SingleReader = true });

        // A stop ends reading at once: the chunks already read still run and commit, so a stop loses no finished work;
        // the chunk being read is dropped and read again by a rerun. Waiting for the reader to finish that chunk could
        // wait forever on a pipe whose writer has gone quiet, so the pipeline does not wait for the reader after a stop.
        using var stopReading = cancellationToken.Register(() => chunks.Writer.TryComplete());
        var reader = Task.Run(async () =>
        {
            try
            {
                await ReadAsync(source, chunks.Writer, checkpoint, counts, cancellationToken, abort.Token).ConfigureAwait(false);
            }
            finally
            {
                await source.DisposeAsync().ConfigureAwait(false);
            }
        }, CancellationToken.None);
        var dispatcher = Task.Run(async () =>
        {
            try
            {
                await foreach (var (index, rows) in chunks.Reader.ReadAllAsync(abort.Token).ConfigureAwait(false))
                {
                    await results.Writer.WriteAsync(predictor.PredictAsync(index, rows, abort.Token), abort.Token).ConfigureAwait(false);
                }
            }
            finally
            {
                results.Writer.TryComplete();
            }
        }, CancellationToken.None);

        try
        {
            // Results are committed in the order chunks were read, while the next chunks predict.
            await foreach (var pending in results.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                var chunk = await pending.ConfigureAwait(false);
                if (OnCommit is not null)
                {
                    await OnCommit(CommitPoint.Before, chunk.Index).ConfigureAwait(false);
                }

                if (!await store.CommitChunkAsync(lease, _options.Model, chunk, _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false))
                {
                    throw new BatchJobException(BatchExitCode.ShardHeld, await LostMessageAsync(store, lease, chunk.Index).ConfigureAwait(false));
                }

                if (OnCommit is not null)
                {
                    await OnCommit(CommitPoint.After, chunk.Index).ConfigureAwait(false);
                }

                counts.Written += chunk.Rows.Count;
                counts.Failed += chunk.Errors.Count;
                counts.ThisRun += chunk.Rows.Count + chunk.Errors.Count;
                progress?.Report(new BatchProgress(counts.Written, counts.Failed, counts.ThisRun, total));
                if (TooManyErrors(counts.Failed))
                {
                    throw new BatchJobException(BatchExitCode.TooManyErrors,
                        $"{counts.Failed} bad rows, more than --max-errors {_options.MaxErrors}; see `augur batch status {lease.JobId}` for the first ones");
                }
            }

            await dispatcher.ConfigureAwait(false);
            if (!cancellationToken.IsCancellationRequested)
            {
                // Only the reader completes the chunks when there was no stop, so it has ended; this surfaces its error.
                await reader.ConfigureAwait(false);
            }
        }
        catch
        {
            await abort.CancelAsync().ConfigureAwait(false);
            chunks.Writer.TryComplete();
            await dispatcher.ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            throw;
        }
    }

    private async Task ReadAsync(
        IRowSource source, ChannelWriter<(long, List<(long, SourceRow)>)> chunks, ShardCheckpoint checkpoint, Counts counts, CancellationToken stop, CancellationToken abort)
    {
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(stop, abort);
        try
        {
            long rowId = -1;
            long position = -1;
            var current = new List<(long, SourceRow)>(_options.ChunkSize);
            long currentIndex = 0;
            await foreach (var row in source.ReadAsync(reading.Token).ConfigureAwait(false))
            {
                rowId++;
                if (rowId % _options.ShardCount != _options.ShardIndex)
                {
                    continue;
                }

                position++;
                var index = position / _options.ChunkSize;
                if (index != currentIndex)
                {
                    if (current.Count > 0)
                    {
                        await chunks.WriteAsync((currentIndex, current), abort).ConfigureAwait(false);
                        current = new List<(long, SourceRow)>(_options.ChunkSize);
                    }

                    currentIndex = index;
                }

                if (checkpoint.CommittedChunks.Contains(index))
                {
                    counts.Skipped++;
                    continue;
                }

                current.Add((rowId, row));
            }

            if (current.Count > 0 && !stop.IsCancellationRequested)
            {
                await chunks.WriteAsync((currentIndex, current), abort).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (stop.IsCancellationRequested && ex is OperationCanceledException or ChannelClosedException)
        {
            // Stopped: the chunks written so far are the ones that run.
        }
        finally
        {
            chunks.TryComplete();
        }
    }

    private bool TooManyErrors(long failed) => _options.MaxErrors >= 0 && failed > _options.MaxErrors;

    private static int Ordinal(IReadOnlyList<string> columns, string name, string option)
    {
        for (var i = 0; i < columns.Count; i++)
        {
            if (columns[i] == name)
            {
                return i;
            }
        }

        throw new BatchJobException(BatchExitCode.UsageError, $"{option} names column '{name}', which the input does not have");
    }

    private static string StateName(BatchExitCode code) => code switch
    {
        BatchExitCode.Completed => "completed",
        BatchExitCode.CompletedWithErrors => "completed_with_errors",
        BatchExitCode.TooManyErrors => "aborted",
        BatchExitCode.Cancelled => "cancelled",
        _ => "failed",
    };

    private sealed class Counts
    {
        public long Written;
        public long Failed;
        public long ThisRun;
        public long Skipped;
    }
}

/// <summary>Where <see cref="BatchJob.OnCommit"/> is called.</summary>
internal enum CommitPoint
{
    Before,
    After,
}
