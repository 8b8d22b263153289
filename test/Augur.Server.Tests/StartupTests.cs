using System.Net;
using System.Net.Sockets;
using Augur.Protocol.Grpc;
using Augur.Tensors;
using Augur.Testing.Fakes;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using static Augur.Server.Tests.Grpc.GrpcRequests;

namespace Augur.Server.Tests;

/// <summary>
/// A host whose engine has not loaded its models yet (<see cref="InferenceEngineBuilder.Build"/>): it listens, answers
/// liveness and not-ready on every door until <see cref="AugurHost.LoadModelsAsync"/> is done; a port that cannot be
/// bound is an <see cref="EndpointBindException"/> naming the endpoint.
/// </summary>
public sealed class StartupTests : IDisposable
{
    private const string StillLoading = "the engine is still loading its models";
    private readonly TempRepository _repository = new TempRepository().AddModel("echo");
    private readonly HeldLoadBackend _backend;

    public StartupTests()
    {
        var fake = new FakeBackend();
        fake.Register("echo", FakeModelSpec.Identity("x", "y", DataType.Fp32, -1, 2));
        _backend = new HeldLoadBackend(fake);
    }

    public void Dispose()
    {
        _backend.Release();
        _repository.Dispose();
    }

    [Fact]
    public async Task The_host_answers_live_and_not_ready_while_the_models_load_and_ready_once_they_are_in()
    {
        await using var engine = new InferenceEngineBuilder().UseModelRepository(_repository.Path).AddBackend(_backend).Build();
        await using var app = AugurHost.Create(engine, IPAddress.Loopback, 0, grpcPort: 0);
        using var client = new HttpClient { BaseAddress = await AugurHost.StartAsync(app).WaitAsync(ServerFixture.Timeout), Timeout = ServerFixture.Timeout };
        using var channel = GrpcChannel.ForAddress(AugurHost.GetGrpcAddress(app)!);
        var health = new Health.HealthClient(channel);
        var grpc = new GRPCInferenceService.GRPCInferenceServiceClient(channel);

        var loading = AugurHost.LoadModelsAsync(app);
        await _backend.LoadBegan.Task.WaitAsync(ServerFixture.Timeout);

        Assert.Equal((HttpStatusCode.OK, """{"live":true}"""), await GetAsync(client, "/v2/health/live"));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, $$"""{"error":"the server is not ready: {{StillLoading}}"}"""), await GetAsync(client, "/v2/health/ready"));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, $$"""{"error":"model 'echo' is not ready: {{StillLoading}}"}"""), await GetAsync(client, "/v2/models/echo"));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest(), Bounded)).Status);
        Assert.True((await grpc.ServerLiveAsync(new ServerLiveRequest(), Bounded)).Live);
        Assert.False((await grpc.ServerReadyAsync(new ServerReadyRequest(), Bounded)).Ready);
        var refused = await FailsAsync(() => grpc.ModelMetadataAsync(new ModelMetadataRequest { Name = "echo" }, Bounded).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);

        _backend.Release();
        Assert.True(await loading.WaitAsync(ServerFixture.Timeout));

        Assert.Equal((HttpStatusCode.OK, """{"ready":true}"""), await GetAsync(client, "/v2/health/ready"));
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, "/v2/models/echo")).Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest(), Bounded)).Status);
        Assert.True((await grpc.ServerReadyAsync(new ServerReadyRequest(), Bounded)).Ready);
        await app.StopAsync().WaitAsync(ServerFixture.Timeout);
    }

    [Fact]
    public async Task Stopping_the_host_during_the_load_cancels_it()
    {
        await using var engine = new InferenceEngineBuilder().UseModelRepository(_repository.Path).AddBackend(_backend).Build();
        await using var app = AugurHost.Create(engine, IPAddress.Loopback, 0);
        await AugurHost.StartAsync(app).WaitAsync(ServerFixture.Timeout);
        var loading = AugurHost.LoadModelsAsync(app);
        await _backend.LoadBegan.Task.WaitAsync(ServerFixture.Timeout);

        await app.StopAsync().WaitAsync(ServerFixture.Timeout);

        Assert.False(await loading.WaitAsync(ServerFixture.Timeout));
        Assert.False(engine.IsStarted);
        Assert.Empty(engine.Models);
    }

    [Theory]
    [InlineData(ServerEndpoint.Rest)]
    [InlineData(ServerEndpoint.Grpc)]
    public async Task A_taken_port_is_an_EndpointBindException_naming_the_endpoint(ServerEndpoint endpoint)
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();
        var port = ((IPEndPoint)taken.LocalEndPoint!).Port;
        await using var engine = new InferenceEngineBuilder().UseModelRepository(_repository.Path).AddBackend(_backend).Build();
        await using var app = endpoint == ServerEndpoint.Rest
            ? AugurHost.Create(engine, IPAddress.Loopback, port, grpcPort: 0)
            : AugurHost.Create(engine, IPAddress.Loopback, 0, grpcPort: port);

        var failure = await Assert.ThrowsAsync<EndpointBindException>(() => AugurHost.StartAsync(app).WaitAsync(ServerFixture.Timeout));

        Assert.Equal(endpoint, failure.Endpoint);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, port), failure.Address);
        Assert.Equal(SocketError.AddressAlreadyInUse, failure.Error);
        Assert.False(_backend.LoadBegan.Task.IsCompleted);
    }

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
