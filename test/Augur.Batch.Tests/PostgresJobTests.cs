using System.Text.Json;
using Augur.Batch.Storage;
using static Augur.Batch.Tests.BatchHarness;

namespace Augur.Batch.Tests;

/// <summary>The same jobs against a real PostgreSQL server started for this class.</summary>
public sealed class PostgresJobTests(FraudEngine fraud, PostgresServer postgres) : IClassFixture<FraudEngine>, IClassFixture<PostgresServer>
{
    [Fact]
    public async Task A_job_writes_to_postgres_and_a_crash_then_rerun_stores_every_row_once()
    {
        using var folder = new TempFolder();
        var output = await postgres.CreateDatabaseAsync("crash");
        var options = CsvJob(WriteCsv(folder.File("in.csv"), 400, 17), output, "pg-crash");
        var crashing = new BatchJob(fraud.Engine, options) { OnCommit = (at, index) => at == CommitPoint.Before && index == 2 ? throw new IOException("simulated crash") : ValueTask.CompletedTask };

        Assert.Equal(BatchExitCode.Failed, (await crashing.RunAsync().WaitAsync(BatchHarness.Timeout)).ExitCode);
        Assert.Equal((127L, 127L), await CountAsync(options.Output, "pg-crash"));
        var resumed = await RunAsync(fraud.Engine, options);

        Assert.Equal((BatchExitCode.CompletedWithErrors, 399L, 1L, 128L), (resumed.ExitCode, resumed.RowsWritten, resumed.RowsFailed, resumed.RowsSkipped));
        Assert.Equal(Enumerable.Range(0, 400).Where(i => i != 17).Select(i => (long)i), await RowIdsAsync(options.Output, "pg-crash"));
        await using var store = await PredictionStore.OpenAsync(options.Output);
        var stored = await store.GetPredictionAsync("fraud", "k250");
        Assert.Equal(await DirectProbabilityAsync(fraud.Engine, Features(250)), JsonDocument.Parse(stored!.OutputsJson).RootElement.GetProperty("probability")[0].GetSingle(), 5);
        Assert.Equal("input 'features': column 'f3' ('oops') is not a number", Assert.Single(await store.GetErrorsAsync("pg-crash", 10)).Reason);
        Assert.Equal("completed_with_errors", Assert.Single(await store.GetJobAsync("pg-crash")).State);
    }

    [Fact]
    public async Task Four_shards_started_together_on_postgres_cover_every_row_once()
    {
        using var folder = new TempFolder();
        var output = await postgres.CreateDatabaseAsync("shards");
        var input = WriteCsv(folder.File("in.csv"), 700);
        var shards = Enumerable.Range(0, 4).Select(i => CsvJob(input, output, "pg-shard") with { ShardIndex = i, ShardCount = 4 }).ToArray();

        var results = await Task.WhenAll(shards.Select(s => Task.Run(() => RunAsync(fraud.Engine, s))));

        Assert.All(results, r => Assert.Equal(BatchExitCode.Completed, r.ExitCode));
        Assert.Equal(700L, results.Sum(r => r.RowsWritten));
        Assert.Equal(Enumerable.Range(0, 700).Select(i => (long)i), await RowIdsAsync(shards[0].Output, "pg-shard"));
    }

    [Fact]
    public async Task A_sql_query_on_postgres_is_an_input()
    {
        var database = await postgres.CreateDatabaseAsync("source");
        await using (var connection = new Npgsql.NpgsqlConnection(Store(database).ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand(
                "CREATE TABLE tx (id INT PRIMARY KEY, features REAL[]); INSERT INTO tx SELECT g, ARRAY[g % 10 / 10.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]::REAL[] FROM generate_series(1, 90) g;", connection);
            await command.ExecuteNonQueryAsync();
        }

        var result = await RunAsync(fraud.Engine, new BatchJobOptions { Model = "fraud", Input = "SELECT id, features FROM tx ORDER BY id", Output = Store(database), JobId = "pg-sql", KeyColumn = "id" });

        Assert.Equal((BatchExitCode.Completed, 90L), (result.ExitCode, result.RowsWritten));
        await using var store = await PredictionStore.OpenAsync(Store(database));
        var stored = await store.GetPredictionAsync("fraud", "13");
        Assert.Equal(await DirectProbabilityAsync(fraud.Engine, [0.3f, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f]), JsonDocument.Parse(stored!.OutputsJson).RootElement.GetProperty("probability")[0].GetSingle(), 5);
    }
}
