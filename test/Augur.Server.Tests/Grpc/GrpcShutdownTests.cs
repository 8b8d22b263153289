using System.Net;
using Augur.Protocol.Grpc;
using Augur.Tensors;
using Augur.Testing.Fakes;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using static Augur.Server.Tests.Grpc.GrpcRequests;

namespace Augur.Server.Tests.Grpc;

/// <summary>What gRPC clients see once the engine shuts down: NOT_SERVING health, not-ready server, UNAVAILABLE inference.</summary>
public sealed class GrpcShutdownTests
{
    [Fact]
    public async Task After_the_engine_is_disposed_health_is_NOT_SERVING_and_inference_is_UNAVAILABLE()
    {
        using var repository = new TempRepository().AddModel("echo");
        var backend = new FakeBackend();
        backend.Register("echo", FakeModelSpec.Identity("x", "y", DataType.Fp32, -1, 2));
        var engine = await new InferenceEngineBuilder().UseModelRepository(repository.Path).AddBackend(backend).BuildAsync().WaitAsync(ServerFixture.Timeout);
        await using var app = AugurHost.Create(engine, IPAddress.Loopback, 0, grpcPort: 0);
        await AugurHost.StartAsync(app).WaitAsync(ServerFixture.Timeout);
        using var channel = GrpcChannel.ForAddress(AugurHost.GetGrpcAddress(app)!);
        var health = new Health.HealthClient(channel);
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var request = GrpcRequestWriter.Create("echo", null, [InferenceTensor.Create("x", new[] { 1f, 2f }, 1, 2)], raw: false);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest(), Bounded)).Status);
        Assert.Equal([1f, 2f], (await client.ModelInferAsync(request, Bounded)).Outputs[0].Contents.Fp32Contents);

        await engine.DisposeAsync();

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest(), Bounded)).Status);
        Assert.False((await client.ServerReadyAsync(new ServerReadyRequest(), Bounded)).Ready);
        var refused = await FailsAsync(() => client.ModelInferAsync(request, Bounded).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.Equal("the engine is shutting down", refused.Status.Detail);
        await app.StopAsync().WaitAsync(ServerFixture.Timeout);
    }
}
