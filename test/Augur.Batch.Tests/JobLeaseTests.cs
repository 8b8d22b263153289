using Augur.Batch.Storage;
using Microsoft.Extensions.Time.Testing;
using static Augur.Batch.Tests.BatchHarness;

namespace Augur.Batch.Tests;

/// <summary>A job holds its shard's lease: refused while another run holds it, stopped when another run takes it over.</summary>
public sealed class JobLeaseTests(FraudEngine fraud) : IClassFixture<FraudEngine>
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_job_on_a_shard_another_run_holds_exits_5_naming_the_holder_without_reading_its_input()
    {
        using var folder = new TempFolder();
        var pipe = await MakeFifoAsync(folder.File("in.csv")); // nobody writes it: a job that opened it would wait forever
        var options = CsvJob(pipe, folder.File("out.db"), "held");
        await using var holder = await PredictionStore.OpenAsync(options.Output);
        Assert.True((await holder.TryAcquireLeaseAsync("held", 0, "host-a:1", Lease)).Acquired);

        var result = await RunAsync(fraud.Engine, options);

        Assert.Equal(BatchExitCode.ShardHeld, result.ExitCode);
        Assert.StartsWith("job 'held' shard 0/1 is held by another run: host-a:1, last beat ", result.Message, StringComparison.Ordinal);
        Assert.Contains("lease timeout 30 s). It is taken over only once its holder has not beaten for its lease timeout", result.Message, StringComparison.Ordinal);
        Assert.Empty(await holder.GetJobAsync("held")); // the refused run recorded nothing
        Assert.Equal("host-a:1", (await holder.GetLeaseAsync("held", 0))!.Holder);
    }

    [Fact]
    public async Task A_usage_error_found_after_taking_the_lease_gives_it_back()
    {
        using var folder = new TempFolder();
        var options = CsvJob(WriteCsv(folder.File("in.csv"), 10), folder.File("out.db"), "usage") with { Map = ["features=f0..f6"] };

        var result = await RunAsync(fraud.Engine, options);

        Assert.Equal(BatchExitCode.UsageError, result.ExitCode);
        await using var store = await PredictionStore.OpenAsync(options.Output);
        Assert.Null(await store.GetLeaseAsync("usage", 0));
        Assert.Empty(await store.GetJobAsync("usage"));
    }

    [Fact]
    public async Task A_job_whose_lease_is_taken_over_mid_run_stops_before_its_next_commit_and_a_rerun_stores_every_row_once()
    {
        using var folder = new TempFolder();
        var options = CsvJob(WriteCsv(folder.File("in.csv"), 500), folder.File("out.db"), "stolen") with { LeaseHolder = "host-a:1" };
        await using var taker = await PredictionStore.OpenAsync(options.Output);
        ShardLease? taken = null;
        var stalled = new BatchJob(fraud.Engine, options)
        {
            // After chunk 1 the run "stalls" past its lease timeout and another run takes the shard over.
            OnCommit = async (at, index) =>
            {
                if (at == CommitPoint.After && index == 1)
                {
                    await AgeLeaseAsync(options.Output, "stolen");
                    taken = (await taker.TryAcquireLeaseAsync("stolen", 0, "host-b:2", Lease)).Lease;
                }
            },
        };

        var result = await stalled.RunAsync().WaitAsync(BatchHarness.Timeout);

        Assert.NotNull(taken);
        Assert.Equal(BatchExitCode.ShardHeld, result.ExitCode);
        Assert.StartsWith("job 'stolen' shard 0/1: another run took this run's lease over (now held by host-b:2, last beat ", result.Message, StringComparison.Ordinal);
        Assert.EndsWith(
            "because this run had not renewed it for longer than its lease timeout (30 s); this run stopped without committing chunk 2. The other run resumes the shard; no row is stored twice.",
            result.Message, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(0, 128).Select(i => (long)i), await RowIdsAsync(options.Output, "stolen"));
        var shard = Assert.Single(await taker.GetJobAsync("stolen"));
        Assert.Equal(("running", 128L, "host-b:2"), (shard.State, shard.RowsWritten, shard.Lease!.Holder));

        Assert.True(await taker.ReleaseLeaseAsync(taken));
        var resumed = await RunAsync(fraud.Engine, options);

        Assert.Equal((BatchExitCode.Completed, 500L, 128L, 372L), (resumed.ExitCode, resumed.RowsWritten, resumed.RowsSkipped, resumed.RowsThisRun));
        Assert.Equal((500L, 500L), await CountAsync(options.Output, "stolen"));
        Assert.Null(await taker.GetLeaseAsync("stolen", 0));
    }

    [Fact]
    public async Task The_heartbeat_runs_on_the_job_s_clock_and_a_lease_taken_over_between_commits_stops_the_job_at_the_next_beat()
    {
        using var folder = new TempFolder();
        var pipe = await MakeFifoAsync(folder.File("in.csv"));
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var options = CsvJob(pipe, folder.File("out.db"), "beat") with { LeaseHolder = "host-a:1", LeaseTimeout = Lease, Concurrency = 1 };
        var committed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var job = new BatchJob(fraud.Engine, options, time)
        {
            OnCommit = (at, index) =>
            {
                if (at == CommitPoint.After && index == 0)
                {
                    committed.TrySetResult();
                }

                return ValueTask.CompletedTask;
            },
        };
        var running = job.RunAsync();
        // One chunk and a few rows of the next: the job commits chunk 0, then waits on the pipe for more.
        await using var writer = await Task.Run(() => new FileStream(pipe, FileMode.Open, FileAccess.Write)).WaitAsync(BatchHarness.Timeout);
        await writer.WriteAsync(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', File.ReadAllLines(WriteCsv(folder.File("rows.csv"), 70))) + "\n"));
        await writer.FlushAsync();
        await committed.Task.WaitAsync(BatchHarness.Timeout);
        await AgeLeaseAsync(options.Output, "beat");
        await using var taker = await PredictionStore.OpenAsync(options.Output);
        Assert.True((await taker.TryAcquireLeaseAsync("beat", 0, "host-b:2", Lease)).Acquired);

        time.Advance(Lease / 3); // the default heartbeat interval: the renewal finds the lease taken

        var result = await running.WaitAsync(BatchHarness.Timeout);
        Assert.Equal(BatchExitCode.ShardHeld, result.ExitCode);
        Assert.Contains("now held by host-b:2", result.Message, StringComparison.Ordinal);
        Assert.EndsWith("this run stopped without committing more. The other run resumes the shard; no row is stored twice.", result.Message, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(0, 64).Select(i => (long)i), await RowIdsAsync(options.Output, "beat"));
    }
}
