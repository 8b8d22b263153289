using System.Text;
using System.Text.Json.Nodes;
using Augur.Testing.Fakes;

namespace Augur.Server.Tests.Lifecycle;

/// <summary>POST /v2/repository/index, .../load and .../unload over HTTP (admin key configured).</summary>
public sealed class RepositoryEndpointTests
{
    private const string Key = LifecycleServer.AdminKey;

    private static Task<LifecycleServer> StartAsync(Action<LifecycleServer> prepare) =>
        LifecycleServer.StartAsync(prepare, configure: o => o.Security.AdminApiKeys = [Key]);

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Index_lists_each_version_with_state_and_reason_and_filters_ready()
    {
        await using var server = await StartAsync(s =>
        {
            s.AddEcho("good");
            s.Repository.AddModel("bad");
            s.Backend.Register("bad", FakeModelSpec.Identity("x", "y", Tensors.DataType.Fp32, -1, 3) with { LoadError = "bad protobuf" });
        });

        var (status, body, _) = await server.SendAsync(HttpMethod.Post, "/v2/repository/index", Key, content: Json("{}"));
        Assert.Equal(200, status);
        Assert.Equal(
            """[{"name":"bad","version":"1","state":"UNAVAILABLE","reason":"bad protobuf"},{"name":"good","version":"1","state":"READY","reason":""}]""",
            body);

        var ready = await server.SendAsync(HttpMethod.Post, "/v2/repository/index", Key, content: Json("""{"ready": true}"""));
        Assert.Equal("""[{"name":"good","version":"1","state":"READY","reason":""}]""", ready.Body);
    }

    [Fact]
    public async Task Load_and_unload_change_what_is_served()
    {
        await using var server = await StartAsync(s => s.AddEcho("m"));

        Assert.Equal(200, (await server.SendAsync(HttpMethod.Post, "/v2/repository/models/m/unload", Key, content: Json("""{"parameters": {"unload_dependents": false}}"""))).Status);
        Assert.Equal(404, (await server.SendAsync(HttpMethod.Post, "/v2/models/m/infer")).Status);
        var index = JsonNode.Parse((await server.SendAsync(HttpMethod.Post, "/v2/repository/index", Key, content: Json(""))).Body)!.AsArray();
        Assert.Equal("unloaded", index.Single()!["reason"]!.GetValue<string>());

        server.Repository.AddModel("m", 2);
        var load = await server.SendAsync(HttpMethod.Post, "/v2/repository/models/m/load", Key, content: Json(""));
        Assert.Equal(200, load.Status);
        Assert.Equal(string.Empty, load.Body);
        var infer = await server.SendAsync(HttpMethod.Post, "/v2/models/m/infer");
        Assert.Equal(200, infer.Status);
        Assert.Contains("\"model_version\":\"2\"", infer.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_load_answers_400_with_the_reason_and_the_old_version_keeps_serving()
    {
        await using var server = await StartAsync(s =>
        {
            s.AddEcho("m");
            s.Backend.Register("m", 2, FakeModelSpec.Identity("x", "y", Tensors.DataType.Fp32, -1, 3) with { LoadError = "model.onnx is truncated" });
        });
        server.Repository.AddModel("m", 2);

        var (status, body, _) = await server.SendAsync(HttpMethod.Post, "/v2/repository/models/m/load", Key, content: Json(""));

        Assert.Equal(400, status);
        Assert.Contains("model.onnx is truncated", body, StringComparison.Ordinal);
        Assert.Contains("keep serving", body, StringComparison.Ordinal);
        Assert.Contains("\"model_version\":\"1\"", (await server.SendAsync(HttpMethod.Post, "/v2/models/m/infer")).Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"parameters": {"config": "{\"backend\":\"onnxruntime\"}"}}""", "'config' is not supported")]
    [InlineData("""{"parameters": {"file:1/model.onnx": "AAAA"}}""", "'file:1/model.onnx' is not supported")]
    [InlineData("""{"parameters": {"path": "/etc"}}""", "unknown parameter 'path'")]
    [InlineData("""{"model_path": "/etc"}""", "unknown or invalid field 'model_path'")]
    [InlineData("""[1]""", "must be a JSON object")]
    [InlineData("""{"parameters":""", "not valid JSON")]
    public async Task Load_accepts_no_config_file_or_path_from_the_client(string body, string expected)
    {
        await using var server = await StartAsync(s => s.AddEcho("m"));
        var loads = server.Backend.LoadCalls;

        var reply = await server.SendAsync(HttpMethod.Post, "/v2/repository/models/m/load", Key, content: Json(body));

        Assert.Equal(400, reply.Status);
        Assert.Contains(expected, reply.Body, StringComparison.Ordinal);
        Assert.Equal(loads, server.Backend.LoadCalls);
    }

    [Fact]
    public async Task Load_in_poll_or_none_mode_is_refused_with_400()
    {
        await using var server = await LifecycleServer.StartAsync(s => s.AddEcho("m"), Models.ModelControlMode.Poll, o => o.Security.AdminApiKeys = [Key]);

        var reply = await server.SendAsync(HttpMethod.Post, "/v2/repository/models/m/load", Key, content: Json(""));

        Assert.Equal(400, reply.Status);
        Assert.Contains("'poll'", reply.Body, StringComparison.Ordinal);
    }
}
