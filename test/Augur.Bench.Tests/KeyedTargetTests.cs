using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Augur.Bench.Keys;
using Augur.Bench.Scenarios;
using Augur.Bench.Targets;
using Augur.Bench.Timing;
using Augur.Inference;
using Augur.Models;
using Augur.Protocol.Grpc;
using Augur.Tensors;
using Augur.Testing;

namespace Augur.Bench.Tests;

/// <summary>Keyed queries over REST, gRPC and in-process: each carries its key's inputs and the key as prediction_key.</summary>
public sealed class KeyedTargetTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly TensorSpec[] Inputs = [new("features", DataType.Fp32, [-1, 16])];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_keyed_REST_run_sends_the_drawn_keys_with_the_rows_the_job_input_holds_and_counts_the_answers_sources(bool binary)
    {
        // Keys below 10 are "precomputed", the rest "model"; the first kind names its source before the outputs, the
        // second after them, as any server may.
        await using var server = await RecordingServer.StartAsync((body, headerLength) =>
        {
            var key = int.Parse(KeyOf(body, headerLength), CultureInfo.InvariantCulture);
            const string Outputs = """ "outputs":[{"name":"score","datatype":"FP32","shape":[1,1],"data":[0.5]}] """;
            return key < 10
                ? $$"""{"model_name":"m","model_version":"1","parameters":{"prediction_source":"precomputed"},{{Outputs}} }"""
                : $$"""{"model_name":"m","model_version":"1",{{Outputs}},"parameters":{"other":1,"prediction_source":"model"} }""";
        });
        var zipf = new ZipfDistribution(1.1, 1000);
        await using var http = new HttpTarget(server.Url, "m", null, binary, connections: 1);
        var keyed = new KeyedTarget(http, Inputs, new KeySequence(zipf, 3));

        // One query at a time until exactly 300 are recorded: the count, not the machine's speed, ends the run.
        var settings = new ScenarioSettings(Scenario.SingleStream) { MinDuration = TimeSpan.Zero, MinQueryCount = 300 };
        var probe = await keyed.IssueAsync(1, CancellationToken.None).AsTask().WaitAsync(Timeout);
        Assert.True(probe.Error is null, probe.Error);
        var result = await new ScenarioRunner(SystemClock.Instance).RunAsync(settings, keyed).WaitAsync(Timeout);

        Assert.True(result.Errors == 0, result.FirstError);
        Assert.Equal(300, result.Queries);
        var expectedKeys = Enumerable.Range(0, 301).Select(i => new KeySequence(zipf, 3).At(i)).ToArray(); // the probe's and the run's
        var requests = server.Requests.ToArray();
        Assert.Equal(expectedKeys.Select(k => k.ToString(CultureInfo.InvariantCulture)), requests.Select(r => KeyOf(r.Body, r.HeaderLength)));

        // Every query's features are its key's, and byte for byte the row `augur bench keys` writes for that key.
        using var rows = new MemoryStream();
        await KeyedInputWriter.WriteJsonlAsync(rows, Inputs, zipf.Count);
        var lines = Encoding.UTF8.GetString(rows.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var (body, headerLength) in requests)
        {
            var key = int.Parse(KeyOf(body, headerLength), CultureInfo.InvariantCulture);
            using var row = JsonDocument.Parse(lines[key]);
            Assert.Equal(key.ToString(CultureInfo.InvariantCulture), row.RootElement.GetProperty(KeyedInputWriter.KeyColumn).GetString());
            using var header = JsonDocument.Parse(body.AsMemory(0, headerLength ?? body.Length));
            var input = Assert.Single(header.RootElement.GetProperty("inputs").EnumerateArray());
            Assert.Equal("features", input.GetProperty("name").GetString());
            Assert.Equal("[1,16]", input.GetProperty("shape").GetRawText());
            var features = KeyedInputs.Create(Inputs, key)[0];
            if (binary)
            {
                Assert.Equal(features.Data.ToArray(), body.AsSpan(headerLength!.Value).ToArray());
                Assert.Equal(row.RootElement.GetProperty("features").EnumerateArray().Select(e => e.GetSingle()), MemoryMarshal.Cast<byte, float>(body.AsSpan(headerLength.Value)).ToArray());
            }
            else
            {
                Assert.Equal(row.RootElement.GetProperty("features").GetRawText(), input.GetProperty("data").GetRawText());
                Assert.Equal(MemoryMarshal.Cast<byte, float>(features.Data.Span).ToArray(), input.GetProperty("data").EnumerateArray().Select(e => e.GetSingle()));
            }
        }

        var precomputed = expectedKeys.Skip(1).Count(k => k < 10);
        Assert.Equal(new Dictionary<string, long> { ["model"] = 300 - precomputed, ["precomputed"] = precomputed }, result.PredictionSources);
        Assert.EndsWith($" sources=model:{300 - precomputed},precomputed:{precomputed}", result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_gRPC_query_carries_the_key_as_a_string_parameter_and_leaves_the_prepared_query_as_it_was()
    {
        // No call is made, so no server is needed: the channel connects on first use.
        var grpc = new GrpcTarget(new Uri("http://127.0.0.1:9"), "m", null, raw: false);
        var keyed = new KeyedTarget(grpc, Inputs, new KeySequence(new ZipfDistribution(1.1, 100), 1));
        var query = (ModelInferRequest)keyed.Query(17);

        Assert.Equal("17", query.Parameters["prediction_key"].StringParam);
        Assert.Equal(KeyedInputs.Create(Inputs, 17)[0].Data.ToArray().Chunk(4).Select(b => BitConverter.ToSingle(b)), query.Inputs[0].Contents.Fp32Contents);
        var plain = (ModelInferRequest)grpc.Prepare(KeyedInputs.Create(Inputs, 17));
        Assert.False(plain.Parameters.ContainsKey("prediction_key"));
    }

    [Fact]
    public async Task An_in_process_run_sends_requests_whose_prediction_key_is_the_key_and_whose_inputs_are_its_inputs()
    {
        await using var repository = await EchoRepository.StartAsync();
        await using var local = new InProcessTarget(repository.Engine, "echo", null, ownsEngine: false);
        var (inputs, error) = await local.GetInputsAsync(CancellationToken.None);
        Assert.True(inputs is not null, error);
        var keyed = new KeyedTarget(local, inputs, new KeySequence(new ZipfDistribution(1.1, 5000), 1));

        var request = (InferenceRequest)keyed.Query(4999);
        Assert.Equal("4999", request.PredictionKey);
        Assert.Equal(KeyedInputs.Create(inputs, 4999)[0].Data.ToArray(), request.Inputs[0].Data.ToArray());
        Assert.Same(keyed.Query(3), keyed.Query(3)); // a hot key's query is encoded once
        Assert.NotSame(keyed.Query(4999), keyed.Query(4999));

        // One query first: a run bounded by a query count never ends if every query fails.
        var probe = await keyed.IssueAsync(1, CancellationToken.None).AsTask().WaitAsync(Timeout);
        Assert.True(probe.Error is null, probe.Error);
        var result = await new ScenarioRunner(SystemClock.Instance)
            .RunAsync(new ScenarioSettings(Scenario.SingleStream) { MinDuration = TimeSpan.Zero, MinQueryCount = 50 }, keyed).WaitAsync(Timeout);
        Assert.True(result.Errors == 0, result.FirstError);
        Assert.Equal(50, result.Queries);
        Assert.Null(result.PredictionSources); // a model with no stage that answers for it names no source
    }

    [Fact]
    public async Task A_keyed_query_has_one_sample()
    {
        var keyed = new KeyedTarget(new GrpcTarget(new Uri("http://127.0.0.1:9"), "m", null, raw: false), Inputs, new KeySequence(new ZipfDistribution(1, 10), 1));

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await keyed.IssueAsync(2, CancellationToken.None));
    }

    [Fact]
    public void A_target_that_cannot_send_keys_is_refused_by_name()
    {
        var error = Assert.Throws<InvalidDataException>(() => new KeyedTarget(new KeylessTarget(), Inputs, new KeySequence(new ZipfDistribution(1, 10), 1)));

        Assert.Equal("keyless cannot send prediction keys", error.Message);
    }

    /// <summary>The request parameter prediction_key of a JSON body (its JSON part with the binary extension).</summary>
    private static string KeyOf(byte[] body, int? headerLength)
    {
        using var json = JsonDocument.Parse(body.AsMemory(0, headerLength ?? body.Length));
        return json.RootElement.GetProperty("parameters").GetProperty("prediction_key").GetString()!;
    }

    private sealed class KeylessTarget : IBenchTarget
    {
        public string Name => "keyless";

        public Task<(IReadOnlyList<TensorSpec>? Inputs, string? Error)> GetInputsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public object Prepare(IReadOnlyList<InferenceTensor> inputs) => inputs;

        public object PrepareRequestBody(byte[] body) => body;

        public ValueTask<QueryOutcome> SendAsync(object query, CancellationToken cancellationToken) => ValueTask.FromResult(QueryOutcome.Success());

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
