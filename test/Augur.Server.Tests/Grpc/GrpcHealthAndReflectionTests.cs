using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using static Augur.Server.Tests.Grpc.GrpcRequests;

namespace Augur.Server.Tests.Grpc;

/// <summary>The standard gRPC health service and server reflection, as grpcurl and load balancers use them.</summary>
[Collection(ServerCollection.Name)]
public sealed class GrpcHealthAndReflectionTests(ServerFixture server)
{
    [Theory]
    [InlineData("")]
    [InlineData("inference.GRPCInferenceService")]
    public async Task Health_reports_SERVING_while_the_engine_serves(string service)
    {
        var health = new Health.HealthClient(server.Channel);

        var response = await health.CheckAsync(new HealthCheckRequest { Service = service }, Bounded);

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task Health_of_an_unknown_service_is_NOT_FOUND()
    {
        var health = new Health.HealthClient(server.Channel);

        var refused = await FailsAsync(() => health.CheckAsync(new HealthCheckRequest { Service = "no.Such" }, Bounded).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, refused.StatusCode);
    }

    [Fact]
    public async Task Reflection_lists_the_inference_and_health_services_and_describes_the_inference_one()
    {
        var reflection = new ServerReflection.ServerReflectionClient(server.Channel);
        using var call = reflection.ServerReflectionInfo(Bounded);

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = string.Empty });
        Assert.True(await call.ResponseStream.MoveNext());
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToArray();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = "inference.GRPCInferenceService" });
        Assert.True(await call.ResponseStream.MoveNext());
        var file = Google.Protobuf.Reflection.FileDescriptorProto.Parser.ParseFrom(call.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto[0]);
        await call.RequestStream.CompleteAsync();

        Assert.Contains("inference.GRPCInferenceService", services);
        Assert.Contains("grpc.health.v1.Health", services);
        Assert.Equal("inference", file.Package);
        Assert.Equal(
            [
                "ServerLive", "ServerReady", "ModelReady", "ServerMetadata", "ModelMetadata", "ModelInfer", "ModelStreamInfer",
                "RepositoryIndex", "RepositoryModelLoad", "RepositoryModelUnload",
            ],
            file.Service.Single().Method.Select(m => m.Name));
    }
}
