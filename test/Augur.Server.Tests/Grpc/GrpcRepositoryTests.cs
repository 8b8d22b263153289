using Augur.Models;
using Augur.Protocol.Grpc;
using Augur.Server.Tests.Lifecycle;
using Augur.Tensors;
using Augur.Testing.Fakes;
using Google.Protobuf;
using Grpc.Core;
using static Augur.Server.Tests.Grpc.GrpcRequests;

namespace Augur.Server.Tests.Grpc;

/// <summary>RepositoryIndex, RepositoryModelLoad and RepositoryModelUnload over gRPC (admin key configured and sent).</summary>
public sealed class GrpcRepositoryTests
{
    private const string Key = LifecycleServer.AdminKey;

    private static Task<LifecycleServer> StartAsync(Action<LifecycleServer> prepare, ModelControlMode mode = ModelControlMode.Explicit) =>
        LifecycleServer.StartAsync(prepare, mode, o => o.Security.AdminApiKeys = [Key], grpc: true);

    private static CallOptions Admin => new(new Metadata { { "authorization", "Bearer " + Key } }, DateTime.UtcNow + ServerFixture.Timeout);

    private static GRPCInferenceService.GRPCInferenceServiceClient Client(LifecycleServer server) => new(server.Channel);

    private static ModelInferRequest Echo(string model) =>
        Typed(model, "x", "FP32", [1, 3], c => c.Fp32Contents.Add([1, 2, 3]));

    private static RepositoryModelLoadRequest Load(string model, params (string Name, ModelRepositoryParameter Value)[] parameters)
    {
        var request = new RepositoryModelLoadRequest { ModelName = model };
        foreach (var (name, value) in parameters)
        {
            request.Parameters[name] = value;
        }

        return request;
    }

    [Fact]
    public async Task Index_lists_each_version_with_state_and_reason_and_filters_ready()
    {
        await using var server = await StartAsync(s =>
        {
            s.AddEcho("good");
            s.Repository.AddModel("bad");
            s.Backend.Register("bad", FakeModelSpec.Identity("x", "y", DataType.Fp32, -1, 3) with { LoadError = "bad protobuf" });
        });
        var client = Client(server);

        var all = await client.RepositoryIndexAsync(new RepositoryIndexRequest(), Admin);
        var ready = await client.RepositoryIndexAsync(new RepositoryIndexRequest { Ready = true }, Admin);

        Assert.Equal(
            ["bad/1/UNAVAILABLE/bad protobuf", "good/1/READY/"],
            all.Models.Select(m => $"{m.Name}/{m.Version}/{m.State}/{m.Reason}"));
        Assert.Equal(["good/1/READY/"], ready.Models.Select(m => $"{m.Name}/{m.Version}/{m.State}/{m.Reason}"));
    }

    [Fact]
    public async Task Unload_then_load_of_a_new_version_change_what_is_served()
    {
        await using var server = await StartAsync(s => s.AddEcho("m"));
        var client = Client(server);
        var unload = new RepositoryModelUnloadRequest { ModelName = "m" };
        unload.Parameters["unload_dependents"] = new ModelRepositoryParameter { BoolParam = false };

        await client.RepositoryModelUnloadAsync(unload, Admin);
        var gone = await FailsAsync(() => client.ModelInferAsync(Echo("m"), Bounded).ResponseAsync);
        var index = await client.RepositoryIndexAsync(new RepositoryIndexRequest(), Admin);
        server.Repository.AddModel("m", 2);
        await client.RepositoryModelLoadAsync(Load("m"), Admin);
        var served = await client.ModelInferAsync(Echo("m"), Bounded);

        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
        Assert.Equal("unloaded", index.Models.Single().Reason);
        Assert.Equal("UNAVAILABLE", index.Models.Single().State);
        Assert.Equal("2", served.ModelVersion);
    }

    [Fact]
    public async Task A_failed_load_is_INVALID_ARGUMENT_with_the_reason_and_the_old_version_keeps_serving()
    {
        await using var server = await StartAsync(s =>
        {
            s.AddEcho("m");
            s.Backend.Register("m", 2, FakeModelSpec.Identity("x", "y", DataType.Fp32, -1, 3) with { LoadError = "model.onnx is truncated" });
        });
        server.Repository.AddModel("m", 2);
        var client = Client(server);

        var refused = await FailsAsync(() => client.RepositoryModelLoadAsync(Load("m"), Admin).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("model.onnx is truncated", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("1", (await client.ModelInferAsync(Echo("m"), Bounded)).ModelVersion);
    }

    [Fact]
    public async Task Load_of_a_model_with_no_repository_folder_is_NOT_FOUND()
    {
        await using var server = await StartAsync(s => s.AddEcho("m"));

        var refused = await FailsAsync(() => Client(server).RepositoryModelLoadAsync(Load("nothing_here"), Admin).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, refused.StatusCode);
        Assert.Contains("'nothing_here'", refused.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ModelControlMode.None, "'none'")]
    [InlineData(ModelControlMode.Poll, "'poll'")]
    public async Task Load_and_unload_outside_explicit_mode_are_INVALID_ARGUMENT_naming_the_mode(ModelControlMode mode, string expected)
    {
        await using var server = await StartAsync(s => s.AddEcho("m"), mode);
        var client = Client(server);

        var load = await FailsAsync(() => client.RepositoryModelLoadAsync(Load("m"), Admin).ResponseAsync);
        var unload = await FailsAsync(() => client.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = "m" }, Admin).ResponseAsync);
        var index = await client.RepositoryIndexAsync(new RepositoryIndexRequest(), Admin);

        Assert.Equal(StatusCode.InvalidArgument, load.StatusCode);
        Assert.Contains(expected, load.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.InvalidArgument, unload.StatusCode);
        Assert.Equal("READY", index.Models.Single().State);
        Assert.Equal("1", (await client.ModelInferAsync(Echo("m"), Bounded)).ModelVersion);
    }

    [Theory]
    [InlineData("")]
    [InlineData("..")]
    [InlineData("../etc")]
    [InlineData("a/b")]
    [InlineData(".hidden")]
    [InlineData("m\0")]
    public async Task A_bad_model_name_is_INVALID_ARGUMENT_for_load_and_unload(string name)
    {
        await using var server = await StartAsync(s => s.AddEcho("m"));
        var client = Client(server);
        var loads = server.Backend.LoadCalls;

        var load = await FailsAsync(() => client.RepositoryModelLoadAsync(Load(name), Admin).ResponseAsync);
        var unload = await FailsAsync(() => client.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = name }, Admin).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, load.StatusCode);
        Assert.Contains("not a valid model name", load.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.InvalidArgument, unload.StatusCode);
        Assert.Equal(loads, server.Backend.LoadCalls);
    }

    public static TheoryData<string, ModelRepositoryParameter, string> RefusedLoadParameters => new()
    {
        { "config", new ModelRepositoryParameter { StringParam = """{"backend":"onnxruntime"}""" }, "'config' is not supported" },
        { "file:1/model.onnx", new ModelRepositoryParameter { BytesParam = ByteString.CopyFrom(1, 2, 3) }, "'file:1/model.onnx' is not supported" },
        { "path", new ModelRepositoryParameter { StringParam = "/etc" }, "unknown parameter 'path'" },
        { "unload_dependents", new ModelRepositoryParameter { BoolParam = true }, "unknown parameter 'unload_dependents'" },
    };

    [Theory]
    [MemberData(nameof(RefusedLoadParameters))]
    public async Task Load_accepts_no_config_file_or_path_from_the_client(string name, ModelRepositoryParameter value, string expected)
    {
        await using var server = await StartAsync(s => s.AddEcho("m"));
        var loads = server.Backend.LoadCalls;

        var refused = await FailsAsync(() => Client(server).RepositoryModelLoadAsync(Load("m", (name, value)), Admin).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains(expected, refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(loads, server.Backend.LoadCalls);
    }

    [Fact]
    public async Task Unload_refuses_a_config_parameter_and_keeps_serving()
    {
        await using var server = await StartAsync(s => s.AddEcho("m"));
        var client = Client(server);
        var unload = new RepositoryModelUnloadRequest { ModelName = "m" };
        unload.Parameters["config"] = new ModelRepositoryParameter { StringParam = "{}" };

        var refused = await FailsAsync(() => client.RepositoryModelUnloadAsync(unload, Admin).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("'config' is not supported", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("1", (await client.ModelInferAsync(Echo("m"), Bounded)).ModelVersion);
    }

    [Fact]
    public async Task A_repository_name_is_INVALID_ARGUMENT_as_Augur_serves_one_repository()
    {
        await using var server = await StartAsync(s => s.AddEcho("m"));
        var client = Client(server);

        var index = await FailsAsync(() => client.RepositoryIndexAsync(new RepositoryIndexRequest { RepositoryName = "other" }, Admin).ResponseAsync);
        var load = await FailsAsync(() => client.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { RepositoryName = "/etc", ModelName = "m" }, Admin).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, index.StatusCode);
        Assert.Contains("repository_name must be empty", index.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.InvalidArgument, load.StatusCode);
    }
}
