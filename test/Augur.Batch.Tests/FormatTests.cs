using System.Globalization;
using System.Text.Json;
using Augur.Batch.Input;
using Augur.Batch.Storage;
using static Augur.Batch.Tests.BatchHarness;

namespace Augur.Batch.Tests;

/// <summary>JSONL and Parquet inputs, list columns and mapping files.</summary>
public sealed class FormatTests(FraudEngine fraud) : IClassFixture<FraudEngine>
{
    [Fact]
    public async Task A_parquet_list_column_fills_the_input_and_the_id_column_is_the_key()
    {
        using var folder = new TempFolder();
        var input = folder.File("in.parquet");
        await SampleParquet.WriteAsync(input, 300, 8, seed: 5, rowGroupRows: 128);
        var options = new BatchJobOptions { Model = "fraud", Input = input, Output = Store(folder.File("out.db")), JobId = "pq", KeyColumn = "id", ChunkSize = 100 };

        var result = await RunAsync(fraud.Engine, options);

        Assert.Equal((BatchExitCode.Completed, 300L), (result.ExitCode, result.RowsWritten));
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (long)i), await RowIdsAsync(options.Output, "pq"));
        await using var source = await RowSources.OpenAsync(input, InputFormat.Auto, null, false, default);
        Assert.Equal(["id", "features"], source.Columns);
        Assert.Equal(300, source.TotalRows);
        var rows = new List<SourceRow>();
        await foreach (var row in source.ReadAsync(default))
        {
            rows.Add(row);
        }

        var features = Assert.IsType<float[]>(rows[200].Values![1]);
        Assert.Equal(200L, rows[200].Values![0]);
        await using var store = await PredictionStore.OpenAsync(options.Output);
        var stored = await store.GetPredictionAsync("fraud", "200");
        Assert.Equal(await DirectProbabilityAsync(fraud.Engine, features), JsonDocument.Parse(stored!.OutputsJson).RootElement.GetProperty("probability")[0].GetSingle(), 5);
    }

    [Fact]
    public async Task Jsonl_rows_with_arrays_scalars_missing_keys_and_broken_lines()
    {
        using var folder = new TempFolder();
        var input = folder.File("in.jsonl");
        var lines = Enumerable.Range(0, 20).Select(r => JsonSerializer.Serialize(new { id = $"j{r}", features = Features(r) })).ToList();
        lines[3] = """{"id": "j3"}""";
        lines[4] = """{"id": "j4", "features": [1, 2, "x", 4, 5, 6, 7, 8]}""";
        lines[5] = "{not json";
        lines[6] = """{"id": "j6", "features": [1, 2, 3]}""";
        lines[7] = "[1, 2]";
        File.WriteAllLines(input, lines);
        var options = new BatchJobOptions { Model = "fraud", Input = input, Output = Store(folder.File("out.db")), JobId = "jl", KeyColumn = "id", IncludeColumns = ["features"] };

        var result = await RunAsync(fraud.Engine, options);

        Assert.Equal((BatchExitCode.CompletedWithErrors, 15L, 5L), (result.ExitCode, result.RowsWritten, result.RowsFailed));
        await using var store = await PredictionStore.OpenAsync(options.Output);
        var errors = await store.GetErrorsAsync("jl", 10);
        Assert.Equal(new long[] { 3, 4, 5, 6, 7 }, errors.Select(e => e.RowId));
        Assert.Equal("input 'features': the row has no column 'features'", errors[0].Reason);
        Assert.Equal("input 'features': column 'features' value 2 (\"x\") is not a FP32 number", errors[1].Reason);
        Assert.StartsWith("the line is not valid JSON", errors[2].Reason, StringComparison.Ordinal);
        Assert.Equal("input 'features': column 'features' has 3 values but 8 are needed", errors[3].Reason);
        Assert.Equal("the line is a JSON array, not an object", errors[4].Reason);
        var stored = await store.GetPredictionAsync("fraud", "j12");
        Assert.Equal(Features(12), JsonDocument.Parse(stored!.InputsJson).RootElement.GetProperty("features").EnumerateArray().Select(e => e.GetSingle()));
    }

    [Fact]
    public async Task A_mapping_file_names_the_columns_of_an_input()
    {
        using var folder = new TempFolder();
        var mapping = folder.File("map.json");
        File.WriteAllText(mapping, """{"features": ["f7", "f6", "f5", "f4", "f3", "f2", "f1", "f0"]}""");
        var options = CsvJob(WriteCsv(folder.File("in.csv"), 10), folder.File("out.db"), "mapfile") with { Map = [], MappingFile = mapping };

        var result = await RunAsync(fraud.Engine, options);

        Assert.Equal(BatchExitCode.Completed, result.ExitCode);
        await using var store = await PredictionStore.OpenAsync(options.Output);
        var reversed = Features(4).Reverse().ToArray();
        var stored = await store.GetPredictionAsync("fraud", "k4");
        Assert.Equal(await DirectProbabilityAsync(fraud.Engine, reversed), JsonDocument.Parse(stored!.OutputsJson).RootElement.GetProperty("probability")[0].GetSingle(), 5);
    }

    [Theory]
    [InlineData("in.txt", "cannot tell the format of")]
    [InlineData("missing.csv", "does not exist")]
    public async Task Inputs_that_cannot_be_opened_are_usage_errors(string name, string expected)
    {
        using var folder = new TempFolder();
        if (name.EndsWith(".txt", StringComparison.Ordinal))
        {
            File.WriteAllText(folder.File(name), "x");
        }

        var result = await RunAsync(fraud.Engine, new BatchJobOptions { Model = "fraud", Input = folder.File(name), Output = Store(folder.File("out.db")) });

        Assert.Equal(BatchExitCode.UsageError, result.ExitCode);
        Assert.Contains(expected, result.Message);
    }

    [Fact]
    public void Store_locations_parse_files_and_postgres_uris_and_hide_passwords()
    {
        Assert.Equal(StoreKind.Sqlite, Store("out.db").Kind);
        var pg = Store("postgres://app:s3cret@db.local:6543/preds?Timeout=5");
        Assert.Equal(StoreKind.Postgres, pg.Kind);
        Assert.Contains("Host=db.local", pg.ConnectionString, StringComparison.Ordinal);
        Assert.Contains("Port=6543", pg.ConnectionString, StringComparison.Ordinal);
        Assert.Contains("Database=preds", pg.ConnectionString, StringComparison.Ordinal);
        Assert.Equal("postgres://app:***@db.local:6543/preds?Timeout=5", pg.Display);
        Assert.False(StoreLocation.TryParse("mysql://x/y", out _, out var problem));
        Assert.Equal("'mysql://x/y': only SQLite files and postgres:// URIs are supported", problem);
        Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"2026-01-02T03:04:05.0000000Z"), PredictionStore.Format(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero)));
    }
}
