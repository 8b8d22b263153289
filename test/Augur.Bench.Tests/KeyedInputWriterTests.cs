using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Augur.Batch;
using Augur.Batch.Jobs;
using Augur.Batch.Storage;
using Augur.Bench.Keys;
using Augur.Models;
using Augur.Protocol.Json;
using Augur.Tensors;

namespace Augur.Bench.Tests;

/// <summary>The job input of the most popular keys: the rows, and what `augur batch` stores from them.</summary>
public sealed class KeyedInputWriterTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Each_row_holds_its_key_and_every_input_as_the_protocol_writes_it()
    {
        TensorSpec[] inputs = [new("features", DataType.Fp32, [-1, 4]), new("ids", DataType.Int64, [-1, 2])];
        using var output = new MemoryStream();
        await KeyedInputWriter.WriteJsonlAsync(output, inputs, 5);

        var text = Encoding.UTF8.GetString(output.ToArray());
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        for (var key = 0; key < 5; key++)
        {
            var tensors = KeyedInputs.Create(inputs, key);
            Assert.Equal($$"""{"prediction_key":"{{key}}","features":{{Json(tensors[0])}},"ids":{{Json(tensors[1])}}}""", lines[key]);
        }
    }

    [Fact]
    public async Task No_rows_for_top_0_and_an_input_named_like_the_key_column_is_refused()
    {
        using var output = new MemoryStream();
        await KeyedInputWriter.WriteJsonlAsync(output, [new("x", DataType.Fp32, [-1, 1])], 0);
        Assert.Equal(0, output.Length);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => KeyedInputWriter.WriteJsonlAsync(output, [new("prediction_key", DataType.Fp32, [-1, 1])], 3));
        Assert.Equal("the model has an input named 'prediction_key', the name of the key column", error.Message);
    }

    [Fact]
    public async Task A_batch_job_over_the_rows_stores_each_keys_prediction_under_the_key_the_bench_sends()
    {
        await using var echo = await EchoRepository.StartAsync();
        var inputs = echo.Engine.TryGetMetadata("echo", null, out var metadata, out _) ? metadata.Signature.Inputs : throw new InvalidOperationException("echo is not loaded");
        var (rows, store) = (Path.Combine(echo.Folder, "top.jsonl"), Path.Combine(echo.Folder, "top.db"));
        await using (var file = File.Create(rows))
        {
            await KeyedInputWriter.WriteJsonlAsync(file, inputs, 40);
        }

        Assert.True(StoreLocation.TryParse(store, out var location, out var problem), problem);
        var options = new BatchJobOptions { Model = "echo", Input = rows, Output = location, JobId = "keys", KeyColumn = KeyedInputWriter.KeyColumn, ChunkSize = 8 };
        var result = await new BatchJob(echo.Engine, options).RunAsync().WaitAsync(Timeout);

        Assert.Equal((BatchExitCode.Completed, 40L), (result.ExitCode, result.RowsWritten));
        await using var predictions = await PredictionStore.OpenAsync(location);
        for (var key = 0; key < 40; key++)
        {
            // The identity model gives back what the job read: exactly the features a keyed query for this key sends.
            var stored = await predictions.GetPredictionAsync("echo", key.ToString(CultureInfo.InvariantCulture)).WaitAsync(Timeout);
            Assert.NotNull(stored);
            using var outputs = JsonDocument.Parse(stored.OutputsJson);
            var sent = MemoryMarshal.Cast<byte, float>(KeyedInputs.Create(inputs, key)[0].Data.Span).ToArray();
            Assert.Equal(sent, outputs.RootElement.GetProperty("output").EnumerateArray().Select(e => e.GetSingle()));
        }

        Assert.Null(await predictions.GetPredictionAsync("echo", "40"));
    }

    private static string Json(InferenceTensor tensor)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            TensorJsonWriter.WriteData(writer, tensor);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
