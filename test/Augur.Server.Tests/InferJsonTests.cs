using System.Text.Json.Nodes;
using Augur.Tensors;

namespace Augur.Server.Tests;

[Collection(ServerCollection.Name)]
public sealed class InferJsonTests(ServerFixture server)
{
    private static readonly float[] A = [1.5f, 2.9f, -1.7f, 10f, 20f, 30f];
    private static readonly long[] B = [100, -1000];

    // sum = Σ trunc(a) + b, row by row; doubled = 2a.
    private static readonly long[] ExpectedSum = [1 + 2 - 1 + 100, 10 + 20 + 30 - 1000];

    [Fact]
    public async Task Flat_data_returns_every_output_in_model_order()
    {
        var body = Bodies.Request(
            Bodies.Input("a", "FP32", [2, 3], Bodies.Floats(A)),
            Bodies.Input("b", "INT64", [2, 1], Bodies.Longs(B)));

        var reply = await server.PostAsync("/v2/models/two_inputs/infer", body);

        var json = Expect.Ok(reply);
        Assert.Equal("two_inputs", json["model_name"]!.GetValue<string>());
        Assert.Equal("1", json["model_version"]!.GetValue<string>());
        Assert.Null(json["id"]);
        Assert.Equal(["sum", "doubled"], reply.OutputNames);
        var sum = reply.Output("sum");
        Assert.Equal("INT64", sum["datatype"]!.GetValue<string>());
        Assert.Equal([2L, 1], Bodies.ReadShape(sum));
        Assert.Equal(ExpectedSum, Bodies.ReadLongs(sum["data"]!));
        var doubled = reply.Output("doubled");
        Assert.Equal("FP32", doubled["datatype"]!.GetValue<string>());
        Assert.Equal([2L, 3], Bodies.ReadShape(doubled));
        Assert.Equal(A.Select(x => x * 2).ToArray(), Bodies.ReadFloats(doubled["data"]!));
    }

    [Fact]
    public async Task Nested_data_is_read_row_major()
    {
        var nestedA = new JsonArray(Bodies.Floats(A[..3]), Bodies.Floats(A[3..]));
        var nestedB = new JsonArray(Bodies.Longs(B[0]), Bodies.Longs(B[1]));
        var body = Bodies.Request(Bodies.Input("a", "FP32", [2, 3], nestedA), Bodies.Input("b", "INT64", [2, 1], nestedB));

        var reply = await server.PostAsync("/v2/models/two_inputs/infer", body);

        Expect.Ok(reply);
        Assert.Equal(ExpectedSum, Bodies.ReadLongs(reply.Output("sum")["data"]!));
        Assert.Equal(A.Select(x => x * 2).ToArray(), Bodies.ReadFloats(reply.Output("doubled")["data"]!));
    }

    [Fact]
    public async Task The_request_id_is_echoed()
    {
        var body = Bodies.Request(Bodies.Input("input", "FP32", [1, 2], Bodies.Floats(1, 2)));
        body["id"] = "request-42 \"quoted\" é";

        var json = Expect.Ok(await server.PostAsync("/v2/models/identity_fp32/infer", body));

        Assert.Equal("request-42 \"quoted\" é", json["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Requested_outputs_are_returned_in_the_requested_order()
    {
        var body = Bodies.Request(Bodies.FraudFeatures([[3, 1, -1.5f, 2, 1, 0, 2.5f, 0.9f]]));
        body["outputs"] = new JsonArray(Bodies.RequestedOutput("label"), Bodies.RequestedOutput("probability"));

        var reply = await server.PostAsync("/v2/models/fraud/infer", body);

        Expect.Ok(reply);
        Assert.Equal(["label", "probability"], reply.OutputNames);
    }

    [Fact]
    public async Task A_requested_subset_returns_only_those_outputs()
    {
        var body = Bodies.Request(
            Bodies.Input("a", "FP32", [2, 3], Bodies.Floats(A)),
            Bodies.Input("b", "INT64", [2, 1], Bodies.Longs(B)));
        body["outputs"] = new JsonArray(Bodies.RequestedOutput("doubled"));

        var reply = await server.PostAsync("/v2/models/two_inputs/infer", body);

        Expect.Ok(reply);
        Assert.Equal(["doubled"], reply.OutputNames);
        Assert.Equal(A.Select(x => x * 2).ToArray(), Bodies.ReadFloats(reply.Output("doubled")["data"]!));
    }

    [Fact]
    public async Task A_version_in_the_url_runs_that_version()
    {
        var body = Bodies.Request(Bodies.Input("input", "FP32", [1, 2], Bodies.Floats(7, 8)));

        var reply = await server.PostAsync("/v2/models/versioned/versions/1/infer", body);

        var json = Expect.Ok(reply);
        Assert.Equal("versioned", json["model_name"]!.GetValue<string>());
        Assert.Equal("1", json["model_version"]!.GetValue<string>());
        Assert.Equal([7f, 8f], Bodies.ReadFloats(reply.Output("output")["data"]!));
    }

    [Fact]
    public async Task Without_a_version_the_latest_runs()
    {
        var body = Bodies.Request(Bodies.Input("input", "FP32", [1, 3], Bodies.Floats(7, 8, 9)));

        var reply = await server.PostAsync("/v2/models/versioned/infer", body);

        Assert.Equal("2", Expect.Ok(reply)["model_version"]!.GetValue<string>());
        Assert.Equal([7f, 8f, 9f], Bodies.ReadFloats(reply.Output("output")["data"]!));
    }

    [Fact]
    public async Task A_request_shaped_for_another_version_is_400_naming_the_expected_shape()
    {
        var body = Bodies.Request(Bodies.Input("input", "FP32", [1, 2], Bodies.Floats(7, 8)));

        Expect.Error(await server.PostAsync("/v2/models/versioned/versions/2/infer", body), 400, "'input'", "[1,2]", "[-1,3]");
    }

    [Fact]
    public async Task Bytes_round_trip_as_utf8_strings()
    {
        string[] values = ["héllo", "", "augur", "日本語", "with \"quotes\" and \\ backslash", "\u0001"];
        var body = Bodies.Request(Bodies.Input("input", "BYTES", [values.Length], Bodies.Strings(values)));

        var reply = await server.PostAsync("/v2/models/identity_bytes/infer", body);

        Expect.Ok(reply);
        var output = reply.Output("output");
        Assert.Equal("BYTES", output["datatype"]!.GetValue<string>());
        Assert.Equal([(long)values.Length], Bodies.ReadShape(output));
        Assert.Equal(values, output["data"]!.AsArray().Select(v => v!.GetValue<string>()).ToArray());
    }

    [Fact]
    public async Task Bool_round_trips()
    {
        var body = Bodies.Request(Bodies.Input("input", "BOOL", [2, 4], new JsonArray(true, false, true, true, false, false, true, false)));

        var reply = await server.PostAsync("/v2/models/identity_bool/infer", body);

        Expect.Ok(reply);
        Assert.Equal(
            [true, false, true, true, false, false, true, false],
            reply.Output("output")["data"]!.AsArray().Select(v => v!.GetValue<bool>()).ToArray());
    }

    [Fact]
    public async Task Int8_round_trips_its_extremes()
    {
        var body = Bodies.Request(Bodies.Input("input", "INT8", [1, 4], Bodies.Longs(-128, -1, 0, 127)));

        var reply = await server.PostAsync("/v2/models/identity_int8/infer", body);

        Expect.Ok(reply);
        Assert.Equal([-128L, -1, 0, 127], Bodies.ReadLongs(reply.Output("output")["data"]!));
    }

    [Fact]
    public async Task UInt64_round_trips_values_above_long_max()
    {
        var body = Bodies.Request(Bodies.Input("input", "UINT64", [1, 4], new JsonArray(0UL, 1UL, 9223372036854775808UL, ulong.MaxValue)));

        var reply = await server.PostAsync("/v2/models/identity_uint64/infer", body);

        Expect.Ok(reply);
        Assert.Equal(
            [0UL, 1UL, 9223372036854775808UL, ulong.MaxValue],
            reply.Output("output")["data"]!.AsArray().Select(v => v!.GetValue<ulong>()).ToArray());
    }

    [Fact]
    public async Task Fp16_round_trips_exactly_representable_values()
    {
        Half[] values = [(Half)1.5, (Half)(-2), Half.MaxValue, (Half)0.0009765625];
        var body = Bodies.Request(Bodies.Input("input", "FP16", [1, 4], Bodies.Floats(values.Select(v => (float)v).ToArray())));

        var reply = await server.PostAsync("/v2/models/identity_fp16/infer", body);

        Expect.Ok(reply);
        Assert.Equal("FP16", reply.Output("output")["datatype"]!.GetValue<string>());
        Assert.Equal(values.Select(v => (float)v).ToArray(), Bodies.ReadFloats(reply.Output("output")["data"]!));
    }

    [Fact]
    public async Task Bf16_round_trips_and_rounds_to_nearest_even()
    {
        // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties go to the even mantissa (1). 1 + 3·2^-8 goes up to 1 + 2^-6.
        var body = Bodies.Request(Bodies.Input("input", "BF16", [1, 4], Bodies.Floats(1.5f, -3.140625f, 1.00390625f, 1.01171875f)));

        var reply = await server.PostAsync("/v2/models/identity_bf16/infer", body);

        Expect.Ok(reply);
        Assert.Equal("BF16", reply.Output("output")["datatype"]!.GetValue<string>());
        Assert.Equal([1.5f, -3.140625f, 1f, 1.015625f], Bodies.ReadFloats(reply.Output("output")["data"]!));
    }

    [Fact]
    public async Task Non_finite_floats_travel_as_strings_both_ways()
    {
        var body = Bodies.Request(Bodies.Input("input", "FP32", [1, 3], new JsonArray("NaN", "Infinity", "-Infinity")));

        var reply = await server.PostAsync("/v2/models/identity_fp32/infer", body);

        Expect.Ok(reply);
        Assert.Equal(["NaN", "Infinity", "-Infinity"], reply.Output("output")["data"]!.AsArray().Select(v => v!.GetValue<string>()).ToArray());
    }

    [Fact]
    public async Task A_tensor_with_a_zero_sized_dimension_returns_an_empty_output()
    {
        var body = Bodies.Request(Bodies.Input("input", "FP32", [1, 0], new JsonArray()));

        var reply = await server.PostAsync("/v2/models/identity_fp32/infer", body);

        Expect.Ok(reply);
        Assert.Equal([1L, 0], Bodies.ReadShape(reply.Output("output")));
        Assert.Empty(reply.Output("output")["data"]!.AsArray());
    }

    [Fact]
    public async Task Concurrent_requests_each_get_their_own_values()
    {
        var tasks = Enumerable.Range(0, 32).Select(async i =>
        {
            float[] a = [i, i + 0.5f, -i];
            var header = Bodies.Request(
                Bodies.BinaryInput("a", "FP32", [1, 3], 12),
                Bodies.Input("b", "INT64", [1, 1], Bodies.Longs(i * 1000L)));
            header["parameters"] = new JsonObject { ["binary_data_output"] = true };
            var reply = await server.PostBinaryAsync("/v2/models/two_inputs/infer", header, Bodies.LittleEndian(a));
            Expect.OkBinary(reply);
            var binary = reply.Binary;
            Assert.Equal([(i + i - i) + (i * 1000L)], Bodies.DecodeLongs(binary.AsSpan(0, 8)));
            Assert.Equal(a.Select(x => x * 2).ToArray(), Bodies.DecodeFloats(binary.AsSpan(8)));
        });

        await Task.WhenAll(tasks).WaitAsync(ServerFixture.Timeout);
    }

    [Fact]
    public async Task The_identity_of_every_element_type_survives_json()
    {
        // Guards the test-side JSON encoder used by the equivalence tests against the product's own round trip.
        var tensor = InferenceTensor.Create("input", new[] { 0.1f, -2.5e-8f, 3.4028235e38f, 1e-45f }, 1, 4);

        var reply = await server.PostAsync("/v2/models/identity_fp32/infer", Bodies.Request(Bodies.ToJsonInput(tensor)));

        Expect.Ok(reply);
        Assert.Equal(tensor.Data.ToArray(), Bodies.FromJsonData(DataType.Fp32, reply.Output("output")["data"]!));
    }
}
