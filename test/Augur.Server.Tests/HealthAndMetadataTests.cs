using System.Text.Json.Nodes;

namespace Augur.Server.Tests;

[Collection(ServerCollection.Name)]
public sealed class HealthAndMetadataTests(ServerFixture server)
{
    [Fact]
    public async Task Live_is_200_true()
    {
        var json = Expect.Ok(await server.GetAsync("/v2/health/live"));

        Assert.True(json["live"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Ready_is_200_true_even_with_broken_models_in_the_repository()
    {
        var json = Expect.Ok(await server.GetAsync("/v2/health/ready"));

        Assert.True(json["ready"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Server_metadata_names_the_server_and_lists_the_binary_extension()
    {
        var json = Expect.Ok(await server.GetAsync("/v2"));

        Assert.Equal(ServerFixture.ServerName, json["name"]!.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(json["version"]!.GetValue<string>()));
        Assert.Contains("binary_tensor_data", json["extensions"]!.AsArray().Select(e => e!.GetValue<string>()));
    }

    [Fact]
    public async Task Model_metadata_describes_the_fraud_sample()
    {
        var json = Expect.Ok(await server.GetAsync("/v2/models/fraud"));

        Assert.Equal("fraud", json["name"]!.GetValue<string>());
        Assert.Equal(["1"], Versions(json));
        Assert.Equal("onnxruntime_onnx", json["platform"]!.GetValue<string>());
        AssertTensors(json["inputs"]!, ("features", "FP32", [-1, 8]));
        AssertTensors(json["outputs"]!, ("probability", "FP32", [-1, 1]), ("label", "INT64", [-1, 1]));
        Assert.Equal(64, json["parameters"]!["max_batch_size"]!.GetValue<int>());
    }

    [Fact]
    public async Task Model_metadata_of_a_dropped_in_folder_comes_from_the_graph()
    {
        var json = Expect.Ok(await server.GetAsync("/v2/models/two_inputs"));

        Assert.Equal("two_inputs", json["name"]!.GetValue<string>());
        AssertTensors(json["inputs"]!, ("a", "FP32", [-1, 3]), ("b", "INT64", [-1, 1]));
        AssertTensors(json["outputs"]!, ("sum", "INT64", [-1, 1]), ("doubled", "FP32", [-1, 3]));
    }

    [Theory]
    [InlineData("identity_fp32", "FP32", new long[] { -1, -1 })]
    [InlineData("identity_int8", "INT8", new long[] { -1, 4 })]
    [InlineData("identity_bool", "BOOL", new long[] { -1, 4 })]
    [InlineData("identity_fp16", "FP16", new long[] { -1, 4 })]
    [InlineData("identity_bf16", "BF16", new long[] { -1, 4 })]
    [InlineData("identity_uint64", "UINT64", new long[] { -1, 4 })]
    [InlineData("identity_bytes", "BYTES", new long[] { -1 })]
    public async Task Model_metadata_reports_datatypes_and_dynamic_shapes(string model, string datatype, long[] shape)
    {
        var json = Expect.Ok(await server.GetAsync($"/v2/models/{model}"));

        AssertTensors(json["inputs"]!, ("input", datatype, shape));
        AssertTensors(json["outputs"]!, ("output", datatype, shape));
    }

    [Fact]
    public async Task Model_metadata_without_a_version_describes_the_latest_and_lists_every_version()
    {
        var json = Expect.Ok(await server.GetAsync("/v2/models/versioned"));

        Assert.Equal(["2", "1"], Versions(json));
        AssertTensors(json["inputs"]!, ("input", "FP32", [-1, 3]));
    }

    [Theory]
    [InlineData("1", 2)]
    [InlineData("2", 3)]
    public async Task Model_metadata_with_a_version_describes_that_version(string version, long width)
    {
        var json = Expect.Ok(await server.GetAsync($"/v2/models/versioned/versions/{version}"));

        Assert.Equal("versioned", json["name"]!.GetValue<string>());
        AssertTensors(json["inputs"]!, ("input", "FP32", [-1, width]));
        AssertTensors(json["outputs"]!, ("output", "FP32", [-1, width]));
    }

    [Fact]
    public async Task Model_metadata_of_an_unknown_model_is_404()
    {
        Expect.Error(await server.GetAsync("/v2/models/no_such_model"), 404, "'no_such_model'");
    }

    [Fact]
    public async Task Model_metadata_of_an_unknown_version_is_404()
    {
        Expect.Error(await server.GetAsync("/v2/models/versioned/versions/3"), 404, "'versioned'", "3");
    }

    [Theory]
    [InlineData("one")]
    [InlineData("0")]
    [InlineData("01")]
    [InlineData("-1")]
    [InlineData("1.0")]
    public async Task Model_metadata_with_a_non_integer_version_is_400(string version)
    {
        Expect.Error(await server.GetAsync($"/v2/models/versioned/versions/{version}"), 400, $"'{version}'");
    }

    [Fact]
    public async Task Model_metadata_of_a_broken_model_is_503_with_the_reason()
    {
        Expect.Error(await server.GetAsync("/v2/models/broken"), 503, "'broken'", "not ready");
    }

    [Theory]
    [InlineData("fraud")]
    [InlineData("two_inputs")]
    [InlineData("identity_bytes")]
    [InlineData("versioned")]
    public async Task Model_ready_is_200_for_a_loaded_model(string model)
    {
        var json = Expect.Ok(await server.GetAsync($"/v2/models/{model}/ready"));

        Assert.Equal(model, json["name"]!.GetValue<string>());
        Assert.True(json["ready"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Model_ready_of_an_unknown_model_is_404()
    {
        Expect.Error(await server.GetAsync("/v2/models/no_such_model/ready"), 404, "unknown model 'no_such_model'");
    }

    [Fact]
    public async Task Model_ready_of_a_model_whose_file_is_garbage_is_503_with_the_load_failure()
    {
        var reply = await server.GetAsync("/v2/models/broken/ready");

        Expect.Error(reply, 503, "model 'broken' is not ready", "version 1");
        Assert.True(reply.Error.Length > "model 'broken' is not ready: version 1: ".Length, $"the reason is missing: {reply}");
    }

    [Fact]
    public async Task Model_ready_of_a_model_with_an_invalid_config_is_503_naming_the_setting()
    {
        Expect.Error(await server.GetAsync("/v2/models/bad_config/ready"), 503, "'bad_config'", "config.json", "max_batch_size");
    }

    [Theory]
    [InlineData("1")]
    [InlineData("2")]
    public async Task Version_ready_is_200_for_each_served_version(string version)
    {
        var json = Expect.Ok(await server.GetAsync($"/v2/models/versioned/versions/{version}/ready"));

        Assert.True(json["ready"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Version_ready_of_a_missing_version_is_404_listing_the_served_ones()
    {
        Expect.Error(await server.GetAsync("/v2/models/versioned/versions/3/ready"), 404, "'versioned'", "no version 3", "2, 1");
    }

    [Fact]
    public async Task Version_ready_of_a_non_integer_version_is_400()
    {
        Expect.Error(await server.GetAsync("/v2/models/versioned/versions/latest/ready"), 400, "'latest'", "not a positive integer");
    }

    [Fact]
    public async Task Version_ready_of_a_failed_version_is_503_with_the_reason()
    {
        Expect.Error(await server.GetAsync("/v2/models/broken/versions/1/ready"), 503, "model 'broken' version 1 is not ready");
    }

    [Fact]
    public async Task Version_ready_of_a_model_with_an_invalid_config_is_503_not_404()
    {
        // Version 1 exists on disk; the model is unavailable because of its config, so "no version 1" would mislead.
        Expect.Error(await server.GetAsync("/v2/models/bad_config/versions/1/ready"), 503, "'bad_config'", "config.json");
    }

    [Theory]
    [InlineData("GET", "/v2/nothing/here")]
    [InlineData("GET", "/v2/models/fraud/explain")]
    [InlineData("POST", "/v2/health/live")]
    [InlineData("DELETE", "/v2/models/fraud")]
    public async Task Unknown_v2_routes_are_404_json(string method, string path)
    {
        var reply = await server.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Expect.Error(reply, 404, "no route");
    }

    [Fact]
    public async Task Get_on_an_infer_route_is_a_json_client_error_not_500()
    {
        var reply = await server.GetAsync("/v2/models/fraud/infer");

        Assert.True(reply.Status is 404 or 405, $"expected 404 or 405, got {reply}");
    }

    [Theory]
    [InlineData("..%2F..%2Fetc")]
    [InlineData("a%00b")]
    [InlineData("a%20b")]
    [InlineData(".hidden")]
    [InlineData("fraud%5C..%5Cx")]
    [InlineData("%E2%98%83")]
    public async Task Invalid_model_names_are_rejected_on_every_model_route_never_500(string name)
    {
        var paths = new[] { $"/v2/models/{name}", $"/v2/models/{name}/ready", $"/v2/models/{name}/versions/1", $"/v2/models/{name}/versions/1/ready" };
        foreach (var path in paths)
        {
            var reply = await server.GetAsync(path);
            Assert.True(reply.Status is 400 or 404, $"GET {path}: expected 400 or 404, got {reply}");
        }

        var infer = await server.PostAsync($"/v2/models/{name}/infer", Bodies.Request(Bodies.Input("input", "FP32", [1, 1], Bodies.Floats(1))));
        Assert.True(infer.Status is 400 or 404, $"POST infer: expected 400 or 404, got {infer}");
    }

    [Fact]
    public async Task A_model_name_longer_than_128_characters_is_400()
    {
        var name = new string('m', 129);

        Expect.Error(await server.GetAsync($"/v2/models/{name}/ready"), 400, "not a valid model name");
    }

    private static string[] Versions(JsonNode json) => json["versions"]!.AsArray().Select(v => v!.GetValue<string>()).ToArray();

    private static void AssertTensors(JsonNode tensors, params (string Name, string DataType, long[] Shape)[] expected)
    {
        var actual = tensors.AsArray().Select(t => (t!["name"]!.GetValue<string>(), t["datatype"]!.GetValue<string>(), Bodies.ReadShape(t))).ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Name, actual[i].Item1);
            Assert.Equal(expected[i].DataType, actual[i].Item2);
            Assert.Equal(expected[i].Shape, actual[i].Item3);
        }
    }
}
