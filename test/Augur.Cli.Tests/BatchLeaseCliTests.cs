using Microsoft.Data.Sqlite;

namespace Augur.Cli.Tests;

/// <summary>
/// Two runs of one job and shard at once, as a Kubernetes Job can start a replacement pod while its predecessor still
/// runs: the shard's lease lets one of them work, and the other either stops at once or takes over a dead holder.
/// </summary>
public sealed class BatchLeaseCliTests : IDisposable
{
    private const int Rows = 1500, Chunk = 100, Held = 4 * Chunk;
    private readonly string _folder = Directory.CreateTempSubdirectory("augur-batch-lease-").FullName;

    private string File(string name) => Path.Combine(_folder, name);

    private string[] Command(string input, string output, string job, params string[] extra) =>
        ["batch", "--model", "fraud", "--input", input, "--output", output, "--map", "features=f0..f7", "--key-column", "id", "--job-id", job,
            "--chunk-size", $"{Chunk}", "--concurrency", "1", .. extra];

    [Fact]
    public async Task A_second_run_of_a_live_shard_exits_5_naming_the_holder_and_the_holder_stores_every_row_once()
    {
        var output = File("out.db");
        using var input = FifoInput.Create(File("in.csv"));
        var command = Command(input.Path, output, "shared");
        await input.WriteAsync(BatchTestData.Header + BatchTestData.Rows(0, Held + 10));
        using var first = AugurProcess.Start(command);
        await BatchTestData.WaitForCommittedAsync(output, "shared", Held, first); // four chunks in, then it waits on the pipe

        var second = await AugurProcess.RunAsync(command);

        Assert.True(second.ExitCode == 5, second.Stdout + second.Stderr);
        Assert.Contains($"job 'shared' shard 0/1 is held by another run: {BatchTestData.Holder(first)}, last beat ", second.Stderr, StringComparison.Ordinal);
        Assert.Contains("lease timeout 30 s). It is taken over only once its holder has not beaten for its lease timeout", second.Stderr, StringComparison.Ordinal);
        Assert.Contains("job shared shard 0/1: stopped: another run holds the shard", second.Stdout, StringComparison.Ordinal);
        Assert.Contains("  exit code 5", second.Stdout, StringComparison.Ordinal);
        var status = await AugurProcess.RunAsync("batch", "status", "shared", "--output", output);
        Assert.Contains($"shard 0/1: running, rows written {Held}, bad rows 0, chunks 4", status.Stdout, StringComparison.Ordinal);
        Assert.Contains($"    lease: held by {BatchTestData.Holder(first)}, last beat ", status.Stdout, StringComparison.Ordinal);

        // The refused run read nothing from the pipe: the holder gets the rest of the rows and finishes alone.
        await input.WriteAsync(BatchTestData.Rows(Held + 10, Rows));
        input.Close();

        Assert.True(await first.WaitForExitAsync() == 0, first.Stdout + first.Stderr);
        Assert.Contains($"rows written {Rows}, bad rows 0, this run {Rows} in", first.Stdout, StringComparison.Ordinal);
        Assert.Equal((Rows, Rows, 0L, Rows - 1L), await BatchTestData.StoredAsync(output, "shared"));
        status = await AugurProcess.RunAsync("batch", "status", "shared", "--output", output);
        Assert.Contains($"shard 0/1: completed, rows written {Rows}", status.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("lease:", status.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_holder_killed_mid_job_is_taken_over_once_its_lease_expires_and_every_row_is_stored_once()
    {
        var output = File("out.db");
        using var input = FifoInput.Create(File("in.csv"));
        var command = Command(input.Path, output, "orphaned", "--lease-timeout", "2s");
        await input.WriteAsync(BatchTestData.Header + BatchTestData.Rows(0, Held + 10));
        string holder;
        using (var first = AugurProcess.Start(command))
        {
            holder = BatchTestData.Holder(first);
            await BatchTestData.WaitForCommittedAsync(output, "orphaned", Held, first);

            first.Kill(); // no handler runs: the lease stays behind, beating no more
            Assert.NotEqual(0, await first.WaitForExitAsync());
        }

        var status = await AugurProcess.RunAsync("batch", "status", "orphaned", "--output", output);
        Assert.Contains($"{holder}, last beat ", status.Stdout, StringComparison.Ordinal);
        Assert.Contains("lease timeout 2 s)", status.Stdout, StringComparison.Ordinal);
        input.ReplaceWithFile(BatchTestData.Header + BatchTestData.Rows(0, Rows)); // the same path, so the same job

        var taker = await BatchTestData.RunWhileHeldAsync(command);

        Assert.True(taker.ExitCode == 0, taker.Stdout + taker.Stderr);
        Assert.Contains($"took the shard over from a run that stopped beating: {holder}, last beat ", taker.Stdout, StringComparison.Ordinal);
        Assert.Contains($"rows written {Rows}, bad rows 0, this run {Rows - Held} in", taker.Stdout, StringComparison.Ordinal);
        Assert.Contains($"skipped (done before) {Held}", taker.Stdout, StringComparison.Ordinal);
        Assert.Equal((Rows, Rows, 0L, Rows - 1L), await BatchTestData.StoredAsync(output, "orphaned"));
        status = await AugurProcess.RunAsync("batch", "status", "orphaned", "--output", output);
        Assert.Contains($"shard 0/1: completed, rows written {Rows}", status.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("lease:", status.Stdout, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
