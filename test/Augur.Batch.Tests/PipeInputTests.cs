using System.Globalization;
using Augur.Batch.Input;
using static Augur.Batch.Tests.BatchHarness;

namespace Augur.Batch.Tests;

/// <summary>Inputs that can be read only once (a named pipe, <c>&lt;(cmd)</c>) and the line count that gives a progress total.</summary>
public sealed class PipeInputTests(FraudEngine fraud) : IClassFixture<FraudEngine>
{
    [Fact]
    public async Task Counting_the_rows_of_a_regular_file_gives_the_total_and_still_reads_every_row()
    {
        using var folder = new TempFolder();
        var csv = WriteCsv(folder.File("in.csv"), 130);
        var jsonl = folder.File("in.jsonl");
        File.WriteAllLines(jsonl, Enumerable.Range(0, 70).Select(i => $$"""{"id": "k{{i}}", "x": {{i}}}"""));

        Assert.Equal((130L, 130), await ReadAllAsync(csv, countRows: true));
        Assert.Equal((70L, 70), await ReadAllAsync(jsonl, countRows: true));
    }

    [Theory]
    [InlineData("in.csv")]
    [InlineData("in.jsonl")]
    public async Task A_named_pipe_is_read_once_its_total_stays_unknown_and_the_job_stores_every_row(string name)
    {
        using var folder = new TempFolder();
        var text = name.EndsWith(".csv", StringComparison.Ordinal)
            ? File.ReadAllText(WriteCsv(folder.File("rows.csv"), 150))
            : string.Join('\n', Enumerable.Range(0, 150).Select(i => $$"""{"id": "k{{i}}", "features": [{{string.Join(", ", Features(i).Select(v => v.ToString(CultureInfo.InvariantCulture)))}}]}""")) + "\n";
        var pipe = await MakeFifoAsync(folder.File(name));

        var writer = Task.Run(() => File.WriteAllText(pipe, text)); // opening blocks until the job opens the pipe to read
        var options = new BatchJobOptions { Model = "fraud", Input = pipe, Output = Store(folder.File("out.db")), JobId = "pipe", KeyColumn = "id", ChunkSize = 64, CountRows = true };
        var totals = new List<long?>();
        var result = await new BatchJob(fraud.Engine, name.EndsWith(".csv", StringComparison.Ordinal) ? options with { Map = ["features=f0..f7"] } : options)
            .RunAsync(new SynchronousProgress(p => totals.Add(p.TotalRows))).WaitAsync(BatchHarness.Timeout);
        await writer.WaitAsync(BatchHarness.Timeout);

        Assert.True(result.ExitCode == BatchExitCode.Completed, result.Message);
        Assert.Equal(150L, result.RowsWritten);
        Assert.Equal(Enumerable.Range(0, 150).Select(i => (long)i), await RowIdsAsync(options.Output, "pipe"));
        Assert.Equal([null, null, null], totals);
    }

    [Fact]
    public async Task A_parquet_input_on_a_named_pipe_is_a_usage_error_saying_it_must_be_a_regular_file()
    {
        using var folder = new TempFolder();
        var pipe = await MakeFifoAsync(folder.File("in.parquet"));
        var writer = Task.Run(() =>
        {
            using var stream = new FileStream(pipe, FileMode.Open, FileAccess.Write);
        });

        var result = await RunAsync(fraud.Engine, new BatchJobOptions { Model = "fraud", Input = pipe, Output = Store(folder.File("out.db")), JobId = "pipe-pq" });
        await writer.WaitAsync(BatchHarness.Timeout);

        Assert.Equal(BatchExitCode.UsageError, result.ExitCode);
        Assert.Equal($"'{pipe}' cannot seek (a pipe?): Parquet is read from its footer, so a Parquet input must be a regular file", result.Message);
    }

    private static async Task<(long? Total, int Rows)> ReadAllAsync(string path, bool countRows)
    {
        await using var source = await RowSources.OpenAsync(path, InputFormat.Auto, null, countRows, default);
        var rows = 0;
        await foreach (var row in source.ReadAsync(default))
        {
            Assert.Null(row.Problem);
            rows++;
        }

        return (source.TotalRows, rows);
    }
}
