using Augur.Protocol.Grpc;
using Augur.Server.Tests.Lifecycle;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using static Augur.Server.Tests.Grpc.GrpcRequests;

namespace Augur.Server.Tests.Grpc;

/// <summary>One server with both kinds of key configured, shared by the gRPC key matrix.</summary>
public sealed class KeyedGrpcServer : IAsyncLifetime
{
    public LifecycleServer Server { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Server = await LifecycleServer.StartAsync(s => s.AddEcho("m"), configure: o =>
        {
            o.Security.InferenceApiKeys = [LifecycleServer.InferenceKey];
            o.Security.AdminApiKeys = [LifecycleServer.AdminKey];
        }, grpc: true);

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// The gRPC key matrix: keys travel as <c>authorization: Bearer</c> or <c>x-api-key</c> metadata; refusals are
/// UNAUTHENTICATED (no or unknown key) or PERMISSION_DENIED (a valid key without the right), never a hang.
/// </summary>
public sealed class GrpcAccessControlTests(KeyedGrpcServer fixture) : IClassFixture<KeyedGrpcServer>
{
    private const string Inf = LifecycleServer.InferenceKey;
    private const string Adm = LifecycleServer.AdminKey;
    private const string Wrong = "wrong-key-0123456789abc";

    public static TheoryData<string, string?, string, StatusCode> Matrix => new()
    {
        // Health probes, the KServe ones and the standard health service: no key needed.
        { "ServerLive", null, "bearer", StatusCode.OK },
        { "ServerReady", null, "bearer", StatusCode.OK },
        { "ModelReady", null, "bearer", StatusCode.OK },
        { "grpc.health.v1.Health/Check", null, "bearer", StatusCode.OK },
        { "grpc.health.v1.Health/Check", Wrong, "bearer", StatusCode.OK },
        // Inference and metadata: the inference key or the admin key.
        { "ModelInfer", null, "bearer", StatusCode.Unauthenticated },
        { "ModelInfer", Wrong, "bearer", StatusCode.Unauthenticated },
        { "ModelInfer", Wrong, "x-api-key", StatusCode.Unauthenticated },
        { "ModelInfer", Inf, "bearer", StatusCode.OK },
        { "ModelInfer", Inf, "x-api-key", StatusCode.OK },
        { "ModelInfer", Adm, "bearer", StatusCode.OK },
        { "ModelStreamInfer", null, "bearer", StatusCode.Unauthenticated },
        { "ModelStreamInfer", Inf, "x-api-key", StatusCode.OK },
        { "ModelMetadata", null, "bearer", StatusCode.Unauthenticated },
        { "ModelMetadata", Inf, "bearer", StatusCode.OK },
        { "ServerMetadata", null, "bearer", StatusCode.Unauthenticated },
        { "ServerMetadata", Adm, "x-api-key", StatusCode.OK },
        // Reflection describes the inference API: what inference needs.
        { "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", null, "bearer", StatusCode.Unauthenticated },
        { "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", Inf, "bearer", StatusCode.OK },
        // Administration: the admin key only; an inference key is known but not allowed.
        { "RepositoryIndex", null, "bearer", StatusCode.Unauthenticated },
        { "RepositoryIndex", Wrong, "x-api-key", StatusCode.Unauthenticated },
        { "RepositoryIndex", Inf, "bearer", StatusCode.PermissionDenied },
        { "RepositoryIndex", Inf, "x-api-key", StatusCode.PermissionDenied },
        { "RepositoryIndex", Adm, "bearer", StatusCode.OK },
        { "RepositoryIndex", Adm, "x-api-key", StatusCode.OK },
        { "RepositoryModelLoad", null, "bearer", StatusCode.Unauthenticated },
        { "RepositoryModelLoad", Inf, "bearer", StatusCode.PermissionDenied },
        { "RepositoryModelLoad", Adm, "bearer", StatusCode.OK },
        { "RepositoryModelUnload", Inf, "x-api-key", StatusCode.PermissionDenied },
        { "RepositoryModelUnload", Wrong, "bearer", StatusCode.Unauthenticated },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task With_both_keys_configured_each_rpc_answers_as_designed(string rpc, string? key, string header, StatusCode expected)
    {
        var (status, detail) = await CallAsync(fixture.Server, rpc, key, header);

        Assert.True(expected == status, $"{rpc} with {Describe(key)} in {header}: {status} {detail}");
        if (key is not null)
        {
            Assert.DoesNotContain(key, detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task With_no_keys_inference_is_open_and_repository_rpcs_are_PERMISSION_DENIED()
    {
        await using var server = await LifecycleServer.StartAsync(s => s.AddEcho("m"), grpc: true);

        Assert.Equal(StatusCode.OK, (await CallAsync(server, "ModelInfer", null, "bearer")).Status);
        Assert.Equal(StatusCode.OK, (await CallAsync(server, "ModelStreamInfer", null, "bearer")).Status);
        var (status, detail) = await CallAsync(server, "RepositoryIndex", null, "bearer");
        Assert.Equal(StatusCode.PermissionDenied, status);
        Assert.Contains("model control is disabled", detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.PermissionDenied, (await CallAsync(server, "RepositoryModelUnload", null, "bearer")).Status);
        Assert.Equal(StatusCode.OK, (await CallAsync(server, "grpc.health.v1.Health/Check", null, "bearer")).Status);
    }

    [Fact]
    public async Task Repository_rpcs_without_a_key_are_served_only_when_explicitly_allowed()
    {
        await using var server = await LifecycleServer.StartAsync(s => s.AddEcho("m"), configure: o => o.Security.AllowAdminWithoutKey = true, grpc: true);

        Assert.Equal(StatusCode.OK, (await CallAsync(server, "RepositoryIndex", null, "bearer")).Status);
        Assert.Equal(StatusCode.OK, (await CallAsync(server, "RepositoryModelUnload", null, "bearer")).Status);
    }

    /// <summary>
    /// Writes <paramref name="message"/> on a streaming call's request stream. A refused call may end before its
    /// request is written, and the write then fails with CANCELLED when it loses the race with the server's answer;
    /// the call's own status comes with its response, which the caller reads next.
    /// </summary>
    private static async Task SendAsync<T>(IClientStreamWriter<T> requests, T message, bool complete)
    {
        try
        {
            await requests.WriteAsync(message);
            if (complete)
            {
                await requests.CompleteAsync();
            }
        }
        catch (RpcException)
        {
            // Read from the response instead.
        }
    }

    private static string Describe(string? key) =>
        key is null ? "no key" : key == Inf ? "the inference key" : key == Adm ? "the admin key" : "a wrong key";

    /// <summary>Calls <paramref name="rpc"/> with the key (if any) in the given header; the status and its detail.</summary>
    private static async Task<(StatusCode Status, string Detail)> CallAsync(LifecycleServer server, string rpc, string? key, string header)
    {
        var metadata = new Metadata();
        if (key is not null)
        {
            metadata.Add(header == "bearer" ? "authorization" : "x-api-key", header == "bearer" ? "Bearer " + key : key);
        }

        var options = new CallOptions(metadata, DateTime.UtcNow + ServerFixture.Timeout);
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(server.Channel);
        var echo = Typed("m", "x", "FP32", [1, 3], c => c.Fp32Contents.Add([1, 2, 3]));
        try
        {
            switch (rpc)
            {
                case "ServerLive":
                    Assert.True((await client.ServerLiveAsync(new ServerLiveRequest(), options)).Live);
                    break;
                case "ServerReady":
                    Assert.True((await client.ServerReadyAsync(new ServerReadyRequest(), options)).Ready);
                    break;
                case "ModelReady":
                    Assert.True((await client.ModelReadyAsync(new ModelReadyRequest { Name = "m" }, options)).Ready);
                    break;
                case "grpc.health.v1.Health/Check":
                    var health = await new Health.HealthClient(server.Channel).CheckAsync(new HealthCheckRequest(), options);
                    Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
                    break;
                case "ModelInfer":
                    Assert.Equal("m", (await client.ModelInferAsync(echo, options)).ModelName);
                    break;
                case "ModelStreamInfer":
                    using (var stream = client.ModelStreamInfer(options))
                    {
                        await SendAsync(stream.RequestStream, echo, complete: true);
                        Assert.True(await stream.ResponseStream.MoveNext());
                        Assert.Equal(string.Empty, stream.ResponseStream.Current.ErrorMessage);
                        Assert.False(await stream.ResponseStream.MoveNext());
                    }

                    break;
                case "ModelMetadata":
                    Assert.Equal("m", (await client.ModelMetadataAsync(new ModelMetadataRequest { Name = "m" }, options)).Name);
                    break;
                case "ServerMetadata":
                    Assert.Contains("model_repository", (await client.ServerMetadataAsync(new ServerMetadataRequest(), options)).Extensions);
                    break;
                case "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo":
                    using (var reflection = new ServerReflection.ServerReflectionClient(server.Channel).ServerReflectionInfo(options))
                    {
                        await SendAsync(reflection.RequestStream, new ServerReflectionRequest { ListServices = string.Empty }, complete: false);
                        Assert.True(await reflection.ResponseStream.MoveNext());
                        Assert.Contains("inference.GRPCInferenceService", reflection.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name));
                        await reflection.RequestStream.CompleteAsync();
                    }

                    break;
                case "RepositoryIndex":
                    Assert.Contains("m", (await client.RepositoryIndexAsync(new RepositoryIndexRequest(), options)).Models.Select(m => m.Name));
                    break;
                case "RepositoryModelLoad":
                    await client.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "m" }, options);
                    break;
                case "RepositoryModelUnload":
                    await client.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = "m" }, options);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(rpc), rpc, "no such RPC in the matrix");
            }

            return (StatusCode.OK, string.Empty);
        }
        catch (RpcException ex)
        {
            return (ex.StatusCode, ex.Status.Detail);
        }
    }
}
