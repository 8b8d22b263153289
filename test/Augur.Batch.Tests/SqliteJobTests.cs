using System.Text.Json;
using Augur.Batch.Storage;
using Microsoft.Data.Sqlite;
using static Augur.Batch.Tests.BatchHarness;

namespace Augur.Batch.Tests;

/// <summary>Jobs on the real fraud model writing to a SQLite file.</summary>
public sealed class SqliteJobTests(FraudEngine fraud) : IClassFixture<FraudEngine>
{
    [Fact]
    public async Task A_csv_job_stores_one_row_per_input_with_the_engine_s_answer()
    {
        using var folder = new TempFolder();
        var options = CsvJob(WriteCsv(folder.File("in.csv"), 300), folder.File("out.db"), "job-a") with { IncludeColumns = ["id"] };

        var result = await RunAsync(fraud.Engine, options);

        Assert.Equal(BatchExitCode.Completed, result.ExitCode);
        Assert.Equal((300L, 300L), (result.RowsWritten, result.RowsThisRun));
        Assert.Equal((300L, 300L), await CountAsync(options.Output, "job-a"));
        await using var store = await PredictionStore.OpenAsync(options.Output);
        foreach (var row in new[] { 0, 77, 299 })
        {
            var stored = await store.GetPredictionAsync("fraud", $"k{row}");
            Assert.NotNull(stored);
            Assert.Equal(("job-a", (long)row, "1"), (stored.JobId, stored.RowId, stored.ModelVersion));
            var probability = JsonDocument.Parse(stored.OutputsJson).RootElement.GetProperty("probability")[0].GetSingle();
            Assert.Equal(await DirectProbabilityAsync(fraud.Engine, Features(row)), probability, 5);
            Assert.Equal($"k{row}", JsonDocument.Parse(stored.InputsJson).RootElement.GetProperty("id").GetString());
        }

        Assert.Null(await store.GetPredictionAsync("fraud", "k300"));
        var status = Assert.Single(await store.GetJobAsync("job-a"));
        Assert.Equal(("completed", 300L, 0L, 5L), (status.State, status.RowsWritten, status.RowsFailed, status.ChunksCommitted));
    }

    [Fact]
    public async Task Bad_rows_go_to_the_errors_table_with_the_reason_and_the_job_ends_with_code_3()
    {
        using var folder = new TempFolder();
        var input = WriteCsv(folder.File("in.csv"), 100, 5, 64);
        File.AppendAllText(input, "k100,0.1,0.2\n"); // too few fields: f2..f7 missing
        var options = CsvJob(input, folder.File("out.db"), "job-bad");

        var result = await RunAsync(fraud.Engine, options);

        Assert.Equal(BatchExitCode.CompletedWithErrors, result.ExitCode);
        Assert.Equal((98L, 3L), (result.RowsWritten, result.RowsFailed));
        await using var store = await PredictionStore.OpenAsync(options.Output);
        var errors = await store.GetErrorsAsync("job-bad", 10);
        Assert.Equal(new long[] { 5, 64, 100 }, errors.Select(e => e.RowId));
        Assert.Equal("input 'features': column 'f3' ('oops') is not a number", errors[0].Reason);
        Assert.Equal("k5", errors[0].Key);
        Assert.Equal("input 'features': the row has no column 'f2'", errors[2].Reason);
        Assert.Equal(Enumerable.Range(0, 101).Select(i => (long)i).Except([5L, 64L, 100L]), await RowIdsAsync(options.Output, "job-bad"));
        Assert.Equal("completed_with_errors", Assert.Single(await store.GetJobAsync("job-bad")).State);
    }

    [Fact]
    public async Task More_bad_rows_than_max_errors_stops_the_job_with_code_4_and_a_rerun_stops_again()
    {
        using var folder = new TempFolder();
        var options = CsvJob(WriteCsv(folder.File("in.csv"), 400, 1, 2, 3, 200, 201), folder.File("out.db"), "job-max") with { MaxErrors = 3, Concurrency = 1 };

        var result = await RunAsync(fraud.Engine, options);

        Assert.Equal(BatchExitCode.TooManyErrors, result.ExitCode);
        Assert.Contains("more than --max-errors 3", result.Message);
        Assert.True(result.RowsWritten < 397, $"the job went on after the limit: {result.RowsWritten} rows");
        await using var store = await PredictionStore.OpenAsync(options.Output);
        Assert.Equal("aborted", Assert.Single(await store.GetJobAsync("job-max")).State);
        Assert.Equal(BatchExitCode.TooManyErrors, (await RunAsync(fraud.Engine, options)).ExitCode);

        var raised = await RunAsync(fraud.Engine, options with { MaxErrors = 10 });
        Assert.Equal(BatchExitCode.CompletedWithErrors, raised.ExitCode);
        Assert.Equal((395L, 395L), await CountAsync(options.Output, "job-max"));
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(false, 3)]
    [InlineData(true, 0)]
    [InlineData(true, 3)]
    [InlineData(true, 7)]
    public async Task A_crash_at_any_commit_then_a_rerun_stores_every_row_exactly_once(bool afterCommit, long chunk)
    {
        var point = afterCommit ? CommitPoint.After : CommitPoint.Before;
        using var folder = new TempFolder();
        var options = CsvJob(WriteCsv(folder.File("in.csv"), 500, 10, 300), folder.File("out.db"), "job-crash");
        var crashing = new BatchJob(fraud.Engine, options)
        {
            OnCommit = (at, index) => at == point && index == chunk ? throw new IOException("simulated crash") : ValueTask.CompletedTask,
        };

        var crashed = await crashing.RunAsync().WaitAsync(BatchHarness.Timeout);
        Assert.Equal(BatchExitCode.Failed, crashed.ExitCode);
        Assert.Contains("simulated crash", crashed.Message);
        var before = await CountAsync(options.Output, "job-crash");
        var badBefore = (await RowIdsAsync(options.Output, "job-crash", "augur_batch_errors")).Length;
        var chunksBefore = chunk + (afterCommit ? 1 : 0);
        Assert.Equal(Math.Min(500, chunksBefore * 64), before.Rows + badBefore); // exactly the chunks before the crash point

        var resumed = await RunAsync(fraud.Engine, options);

        Assert.Equal(BatchExitCode.CompletedWithErrors, resumed.ExitCode);
        Assert.Equal((498L, 498L), await CountAsync(options.Output, "job-crash"));
        Assert.Equal(Enumerable.Range(0, 500).Select(i => (long)i).Except([10L, 300L]), await RowIdsAsync(options.Output, "job-crash"));
        Assert.Equal(new long[] { 10, 300 }, await RowIdsAsync(options.Output, "job-crash", "augur_batch_errors"));
        Assert.Equal((498L, 2L), (resumed.RowsWritten, resumed.RowsFailed));
        Assert.Equal(500 - resumed.RowsThisRun, resumed.RowsSkipped);
        Assert.Equal(before.Rows + badBefore, resumed.RowsSkipped);
    }

    [Fact]
    public async Task Shards_write_every_row_once_between_them()
    {
        using var folder = new TempFolder();
        var input = WriteCsv(folder.File("in.csv"), 1000);
        var output = folder.File("out.db");
        var shards = Enumerable.Range(0, 3).Select(i => CsvJob(input, output, "job-shard") with { ShardIndex = i, ShardCount = 3 }).ToArray();

        var results = await Task.WhenAll(shards.Select(s => RunAsync(fraud.Engine, s)));

        Assert.All(results, r => Assert.Equal(BatchExitCode.Completed, r.ExitCode));
        Assert.Equal(new long[] { 334, 333, 333 }, results.Select(r => r.RowsWritten));
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (long)i), await RowIdsAsync(shards[0].Output, "job-shard"));
        await using var store = await PredictionStore.OpenAsync(shards[0].Output);
        var status = await store.GetJobAsync("job-shard");
        Assert.Equal(new[] { 0, 1, 2 }, status.Select(s => s.Shard));
        Assert.All(status, s => Assert.Equal(("completed", 3), (s.State, s.ShardCount)));
    }

    [Fact]
    public async Task A_job_id_reused_with_another_input_is_a_usage_error()
    {
        using var folder = new TempFolder();
        var options = CsvJob(WriteCsv(folder.File("in.csv"), 10), folder.File("out.db"), "job-reuse");
        Assert.Equal(BatchExitCode.Completed, (await RunAsync(fraud.Engine, options)).ExitCode);

        var other = await RunAsync(fraud.Engine, options with { Input = WriteCsv(folder.File("other.csv"), 10), ChunkSize = 10 });

        Assert.Equal(BatchExitCode.UsageError, other.ExitCode);
        Assert.Contains("Use another --job-id", other.Message);
    }

    [Theory]
    [InlineData("nope", "features=f0..f7", "model 'nope': unknown model 'nope'")]
    [InlineData("fraud", "features=f0..f6", "input 'features' needs 8 values per row ([-1,8]) but is mapped to 7 columns")]
    [InlineData("fraud", "features=f0..zz", "input 'features' is mapped to a range from or to column 'zz', which the input does not have")]
    [InlineData("fraud", "weights=f0", "the mapping names input 'weights', which the model does not have (inputs: features)")]
    [InlineData("fraud", "features", "--map 'features' is not INPUT=COLUMNS")]
    public async Task Options_that_do_not_fit_the_model_or_input_are_usage_errors_naming_the_problem(string model, string map, string expected)
    {
        using var folder = new TempFolder();
        var options = CsvJob(WriteCsv(folder.File("in.csv"), 10), folder.File("out.db"), "job-usage") with { Model = model, Map = [map] };

        var result = await RunAsync(fraud.Engine, options);

        Assert.Equal(BatchExitCode.UsageError, result.ExitCode);
        Assert.Contains(expected, result.Message);
    }

    [Fact]
    public async Task Without_a_mapping_an_input_without_a_column_of_its_name_is_a_usage_error_with_a_hint()
    {
        using var folder = new TempFolder();
        var options = CsvJob(WriteCsv(folder.File("in.csv"), 10), folder.File("out.db"), "job-nomap") with { Map = [] };

        var result = await RunAsync(fraud.Engine, options);

        Assert.Equal(BatchExitCode.UsageError, result.ExitCode);
        Assert.Contains("input 'features' (FP32 [-1,8]) has no column of that name; map columns to it with --map features=COLUMNS (columns: id, f0,", result.Message);
    }

    [Fact]
    public async Task A_sql_query_over_a_sqlite_table_is_an_input()
    {
        using var folder = new TempFolder();
        var database = folder.File("source.db");
        await using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var create = connection.CreateCommand();
            create.CommandText = "CREATE TABLE tx (id TEXT PRIMARY KEY, features TEXT); " +
                string.Join(' ', Enumerable.Range(0, 50).Select(r => $"INSERT INTO tx VALUES ('t{r:D2}', '[{string.Join(',', Features(r).Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]');")) +
                "INSERT INTO tx VALUES ('t99', 'not json');";
            await create.ExecuteNonQueryAsync();
        }

        var options = new BatchJobOptions
        {
            Model = "fraud", Input = "SELECT id, features FROM tx ORDER BY id", InputDatabase = Store(database), Output = Store(folder.File("out.db")),
            JobId = "job-sql", KeyColumn = "id",
        };

        var result = await RunAsync(fraud.Engine, options);

        Assert.Equal((BatchExitCode.CompletedWithErrors, 50L, 1L), (result.ExitCode, result.RowsWritten, result.RowsFailed));
        await using var store = await PredictionStore.OpenAsync(options.Output);
        var stored = await store.GetPredictionAsync("fraud", "t07");
        Assert.Equal(await DirectProbabilityAsync(fraud.Engine, Features(7)), JsonDocument.Parse(stored!.OutputsJson).RootElement.GetProperty("probability")[0].GetSingle(), 5);
        Assert.Equal("input 'features': column 'features' ('not json') is not a JSON array of 8 numbers", Assert.Single(await store.GetErrorsAsync("job-sql", 10)).Reason);
    }

    [Fact]
    public async Task Cancelling_commits_what_was_read_and_a_rerun_finishes_the_job()
    {
        using var folder = new TempFolder();
        var options = CsvJob(WriteCsv(folder.File("in.csv"), 2000), folder.File("out.db"), "job-cancel") with { Concurrency = 1 };
        using var stop = new CancellationTokenSource();
        var progress = new SynchronousProgress(p =>
        {
            if (p.RowsThisRun >= 128)
            {
                stop.Cancel();
            }
        });

        var cancelled = await new BatchJob(fraud.Engine, options).RunAsync(progress, stop.Token).WaitAsync(BatchHarness.Timeout);

        Assert.Equal(BatchExitCode.Cancelled, cancelled.ExitCode);
        Assert.True(cancelled.RowsWritten is >= 128 and < 2000, $"{cancelled.RowsWritten} rows");
        Assert.Equal((cancelled.RowsWritten, cancelled.RowsWritten), await CountAsync(options.Output, "job-cancel"));
        var resumed = await RunAsync(fraud.Engine, options);
        Assert.Equal((BatchExitCode.Completed, 2000L), (resumed.ExitCode, resumed.RowsWritten));
        Assert.Equal((2000L, 2000L), await CountAsync(options.Output, "job-cancel"));
    }
}
