using System.Net;
using System.Text;
using System.Text.Json;
using Augur.Protocol.Grpc;
using Augur.Tensors;
using Augur.Testing.Fakes;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;

namespace Augur.Server.Tests;

/// <summary>The response cache seen from the doors: every response of a caching model says where it came from, over REST and gRPC.</summary>
public sealed class ResponseCacheServerTests : IAsyncLifetime
{
    private readonly TempRepository _repository = new();
    private readonly FakeBackend _backend = new();
    private InferenceEngine _engine = null!;
    private WebApplication _app = null!;
    private HttpClient _client = null!;
    private GrpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        var signature = FakeModelSpec.Identity("x", "y", DataType.Fp32, -1, 3);
        _repository.AddModel("cached").WriteConfig("cached", """{"max_batch_size": 8, "warmup": {"iterations": 0}, "response_cache": {"enable": true}}""")
            .AddModel("plain").WriteConfig("plain", """{"max_batch_size": 8, "warmup": {"iterations": 0}}""");
        _backend.Register("cached", signature).Register("plain", signature);
        _engine = await new InferenceEngineBuilder().UseModelRepository(_repository.Path).AddBackend(_backend).UseResponseCache().BuildAsync().WaitAsync(ServerFixture.Timeout);
        _app = AugurHost.Create(_engine, IPAddress.Loopback, 0, grpcPort: 0);
        var address = await AugurHost.StartAsync(_app).WaitAsync(ServerFixture.Timeout);
        _client = new HttpClient { BaseAddress = address, Timeout = ServerFixture.Timeout };
        _channel = GrpcChannel.ForAddress(AugurHost.GetGrpcAddress(_app)!);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        _channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _engine.DisposeAsync();
        _repository.Dispose();
    }

    [Fact]
    public async Task Over_rest_the_first_answer_says_model_and_the_identical_second_says_cache()
    {
        var first = await PostAsync("cached", "one", [1, 2, 3]);
        var second = await PostAsync("cached", "two", [1, 2, 3]);

        Assert.Equal("model", first.GetProperty("parameters").GetProperty("prediction_source").GetString());
        Assert.Equal("cache", second.GetProperty("parameters").GetProperty("prediction_source").GetString());
        Assert.Equal("two", second.GetProperty("id").GetString());
        Assert.Equal("[1,2,3]", second.GetProperty("outputs")[0].GetProperty("data").GetRawText());
        Assert.Single(_backend.Model("cached").Calls);
    }

    [Fact]
    public async Task A_model_without_response_cache_names_no_source()
    {
        var response = await PostAsync("plain", "p", [1, 2, 3]);

        Assert.False(response.TryGetProperty("parameters", out _));
    }

    [Fact]
    public async Task Over_grpc_unary_and_stream_the_answer_says_where_it_came_from()
    {
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(_channel);
        var request = GrpcRequestWriter.Create("cached", null, [InferenceTensor.Create("x", new[] { 7f, 8, 9 }, 1, 3)], raw: false);

        var first = await client.ModelInferAsync(request, Grpc.GrpcRequests.Bounded);
        var second = await client.ModelInferAsync(request, Grpc.GrpcRequests.Bounded);
        using var call = client.ModelStreamInfer(Grpc.GrpcRequests.Bounded);
        await call.RequestStream.WriteAsync(request);
        Assert.True(await call.ResponseStream.MoveNext().WaitAsync(ServerFixture.Timeout));
        var streamed = call.ResponseStream.Current;
        await call.RequestStream.CompleteAsync();

        Assert.Equal("model", first.Parameters["prediction_source"].StringParam);
        Assert.Equal("cache", second.Parameters["prediction_source"].StringParam);
        Assert.Equal([7f, 8, 9], second.Outputs[0].Contents.Fp32Contents);
        Assert.Equal("", streamed.ErrorMessage);
        Assert.Equal("cache", streamed.InferResponse.Parameters["prediction_source"].StringParam);
        Assert.Single(_backend.Model("cached").Calls);
        Assert.False(await call.ResponseStream.MoveNext().WaitAsync(ServerFixture.Timeout));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    private async Task<JsonElement> PostAsync(string model, string id, float[] data)
    {
        var body = $$"""{"id": "{{id}}", "inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 3], "data": {{JsonSerializer.Serialize(data)}}}]}""";
        using var response = await _client.PostAsync($"/v2/models/{model}/infer", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
