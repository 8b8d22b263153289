using System.Net;
using System.Text;
using System.Text.Json;
using Augur.Batch;
using Augur.Batch.Precomputed;
using Augur.Batch.Storage;
using Augur.Protocol.Grpc;
using Augur.Server.Tests.Grpc;
using Augur.Testing;
using Grpc.Core;
using Microsoft.Data.Sqlite;

namespace Augur.Server.Tests;

/// <summary>
/// Hybrid serving through the server's doors: a batch job stores predictions of the fraud sample in a SQLite file in the
/// model's folder (config.json <c>precomputed</c>, relative source), and REST and gRPC requests that carry a
/// prediction_key are answered from it, byte for byte what the job stored, while the others run the model. Every
/// response says where it came from (<c>prediction_source</c>).
/// </summary>
public sealed class PrecomputedServingTests : IAsyncLifetime
{
    private static readonly float[] Stored = [0.3f, 0, 0, 0.5f, 1, 0, 0.5f, 0.5f];
    private static readonly float[] Sent = [0.1f, 0, 1.2f, -0.3f, 0, 1, -0.2f, 0.1f];
    private TestHost _host = null!;
    private string _storedOutputs = null!;

    public async Task InitializeAsync()
    {
        var repository = Path.Combine(Path.GetTempPath(), $"augur-precomputed-{Guid.NewGuid():N}");
        var model = Path.Combine(repository, "fraud");
        Directory.CreateDirectory(Path.Combine(model, "1"));
        File.Copy(Path.Combine(RepositoryPaths.SampleModels, "fraud", "1", "model.onnx"), Path.Combine(model, "1", "model.onnx"));
        File.WriteAllText(Path.Combine(model, "config.json"), """{"precomputed": {"source": "predictions.db", "max_age_seconds": 86400}}""");
        _host = await TestHost.StartAsync(repository, o => o.PredictionStore = PrecomputedStores.Open(Path.Combine(model, "predictions.db")), b => b.UsePrecomputedPredictions(PrecomputedStores.Open));

        var csv = Path.Combine(repository, "tx.csv");
        File.WriteAllLines(csv, ["id,f0,f1,f2,f3,f4,f5,f6,f7", "tx-42," + string.Join(',', Stored.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)))]);
        Assert.True(StoreLocation.TryParse(Path.Combine(model, "predictions.db"), out var location, out var problem), problem);
        var job = await new BatchJob(_host.Engine, new BatchJobOptions { Model = "fraud", Input = csv, Output = location, Map = ["features=f0..f7"], KeyColumn = "id" })
            .RunAsync().WaitAsync(ServerFixture.Timeout);
        Assert.True(job.ExitCode == BatchExitCode.Completed, job.Message);
        await using var store = await PredictionStore.OpenAsync(location);
        _storedOutputs = (await store.GetPredictionAsync("fraud", "tx-42"))!.OutputsJson;
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        SqliteConnection.ClearAllPools();
    }

    [Theory]
    [InlineData("\"tx-42\"", "precomputed")]
    [InlineData("\"tx-43\"", "model")]
    [InlineData(null, "model")]
    public async Task Rest_requests_with_a_stored_key_are_answered_from_the_store_and_the_others_by_the_model(string? key, string source)
    {
        var parameters = key is null ? string.Empty : $$""", "parameters": {"prediction_key": {{key}}}""";
        var body = $$"""{"inputs": [{"name": "features", "shape": [1, 8], "datatype": "FP32", "data": [{{string.Join(',', Sent.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)))}}]}]{{parameters}}}""";

        using var response = await _host.Client.PostAsync("/v2/models/fraud/infer", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(text);
        Assert.Equal(source, json.RootElement.GetProperty("parameters").GetProperty("prediction_source").GetString());
        var outputs = "{" + string.Join(',', json.RootElement.GetProperty("outputs").EnumerateArray().Select(o => $"\"{o.GetProperty("name").GetString()}\":{o.GetProperty("data").GetRawText()}")) + "}";
        Assert.Equal(source == "precomputed", outputs == _storedOutputs);
        Assert.Contains("\"shape\":[1,1]", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_integer_key_and_a_request_for_one_output_are_answered_from_the_store_too()
    {
        await using (var store = await PredictionStore.OpenAsync(BatchStore()))
        {
            await store.WriteAsync(new Augur.Precomputed.PrecomputedWrite("fraud", "1", "7", [Tensors.InferenceTensor.Create("probability", new[] { 0.25f }, 1, 1), Tensors.InferenceTensor.Create("label", new[] { 0L }, 1, 1)], DateTimeOffset.UtcNow), CancellationToken.None);
        }

        var body = $$$"""{"inputs": [{"name": "features", "shape": [1, 8], "datatype": "FP32", "data": [{{{string.Join(',', Stored.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)))}}}]}], "outputs": [{"name": "probability"}], "parameters": {"prediction_key": 7}}""";
        using var response = await _host.Client.PostAsync("/v2/models/fraud/infer", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(
            """{"model_name":"fraud","model_version":"1","parameters":{"prediction_source":"precomputed"},"outputs":[{"name":"probability","datatype":"FP32","shape":[1,1],"data":[0.25]}]}""",
            await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("tx-42", "precomputed", false)]
    [InlineData("tx-42", "precomputed", true)]
    [InlineData("tx-43", "model", false)]
    public async Task Grpc_requests_are_answered_alike(string key, string source, bool raw)
    {
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(_host.Channel);
        var request = GrpcRequestWriter.Create("fraud", null, [Tensors.InferenceTensor.Create("features", Sent, 1, 8)], raw)
            .WithParameter("prediction_key", new InferParameter { StringParam = key });

        var response = await client.ModelInferAsync(request, GrpcRequests.Bounded);

        Assert.Equal(source, response.Parameters["prediction_source"].StringParam);
        var outputs = GrpcResponseReader.ReadOutputs(response);
        var stored = JsonDocument.Parse(_storedOutputs).RootElement;
        var (probability, label) = (outputs.Single(o => o.Name == "probability").AsSpan<float>()[0], outputs.Single(o => o.Name == "label").AsSpan<long>()[0]);

        // The stored row is the model's answer for other features (0.6087503, label 1); the sent features score 0.
        Assert.Equal((0.6087503f, 1L), (stored.GetProperty("probability")[0].GetSingle(), stored.GetProperty("label")[0].GetInt64()));
        Assert.Equal(source == "precomputed" ? (0.6087503f, 1L) : (0f, 0L), (probability, label));
    }

    [Fact]
    public async Task The_predictions_route_reads_the_same_store()
    {
        using var response = await _host.Client.GetAsync("/v2/models/fraud/predictions/tx-42");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(_storedOutputs, json.RootElement.GetProperty("outputs").GetRawText());
    }

    private StoreLocation BatchStore() =>
        StoreLocation.TryParse(Path.Combine(_host.Repository, "fraud", "predictions.db"), out var location, out var problem) ? location : throw new ArgumentException(problem);
}
