using System.Text.Json.Nodes;

namespace Augur.Server.Tests;

/// <summary>The binary tensor data extension, both ways.</summary>
[Collection(ServerCollection.Name)]
public sealed class BinaryTensorTests(ServerFixture server)
{
    private static readonly float[] A = [1.5f, 2.9f, -1.7f, 10f, 20f, 30f];
    private static readonly long[] B = [100, -1000];
    private static readonly long[] ExpectedSum = [1 + 2 - 1 + 100, 10 + 20 + 30 - 1000];

    [Fact]
    public async Task Binary_inputs_with_a_json_response()
    {
        var header = Bodies.Request(Bodies.BinaryInput("a", "FP32", [2, 3], 24), Bodies.BinaryInput("b", "INT64", [2, 1], 16));

        var reply = await server.PostBinaryAsync("/v2/models/two_inputs/infer", header, Bodies.LittleEndian(A), Bodies.LittleEndian(B));

        Expect.Ok(reply);
        Assert.Null(reply.HeaderLength);
        Assert.Equal(ExpectedSum, Bodies.ReadLongs(reply.Output("sum")["data"]!));
        Assert.Equal(A.Select(x => x * 2).ToArray(), Bodies.ReadFloats(reply.Output("doubled")["data"]!));
    }

    [Fact]
    public async Task Mixed_binary_and_json_inputs_in_one_request()
    {
        var header = Bodies.Request(Bodies.Input("a", "FP32", [2, 3], Bodies.Floats(A)), Bodies.BinaryInput("b", "INT64", [2, 1], 16));

        var reply = await server.PostBinaryAsync("/v2/models/two_inputs/infer", header, Bodies.LittleEndian(B));

        Expect.Ok(reply);
        Assert.Equal(ExpectedSum, Bodies.ReadLongs(reply.Output("sum")["data"]!));
        Assert.Equal(A.Select(x => x * 2).ToArray(), Bodies.ReadFloats(reply.Output("doubled")["data"]!));
    }

    [Fact]
    public async Task Binary_data_on_one_output_returns_it_binary_and_the_other_as_json()
    {
        var body = JsonBody();
        body["outputs"] = new JsonArray(Bodies.RequestedOutput("doubled", binary: true), Bodies.RequestedOutput("sum"));

        var reply = await server.PostAsync("/v2/models/two_inputs/infer", body);

        Expect.OkBinary(reply);
        Assert.Equal(["doubled", "sum"], reply.OutputNames);
        var doubled = reply.Output("doubled");
        Assert.Null(doubled["data"]);
        Assert.Equal(24, doubled["parameters"]!["binary_data_size"]!.GetValue<long>());
        Assert.Equal([2L, 3], Bodies.ReadShape(doubled));
        Assert.Equal(24, reply.Binary.Length);
        Assert.Equal((long)reply.Body.Length, reply.HeaderLength!.Value + 24);
        Assert.Equal(A.Select(x => x * 2).ToArray(), Bodies.DecodeFloats(reply.Binary));
        Assert.Equal(ExpectedSum, Bodies.ReadLongs(reply.Output("sum")["data"]!));
    }

    [Fact]
    public async Task Binary_data_output_returns_every_output_binary_in_order_and_matches_the_json_path()
    {
        var jsonReply = await server.PostAsync("/v2/models/two_inputs/infer", JsonBody());
        var body = JsonBody();
        body["parameters"] = new JsonObject { ["binary_data_output"] = true };

        var reply = await server.PostAsync("/v2/models/two_inputs/infer", body);

        Expect.Ok(jsonReply);
        Expect.OkBinary(reply);
        Assert.Equal(["sum", "doubled"], reply.OutputNames);
        Assert.Equal(16, reply.Output("sum")["parameters"]!["binary_data_size"]!.GetValue<long>());
        Assert.Equal(24, reply.Output("doubled")["parameters"]!["binary_data_size"]!.GetValue<long>());
        Assert.Equal(40, reply.Binary.Length);
        Assert.Equal(Bodies.ReadLongs(jsonReply.Output("sum")["data"]!), Bodies.DecodeLongs(reply.Binary.AsSpan(0, 16)));
        Assert.Equal(Bodies.ReadFloats(jsonReply.Output("doubled")["data"]!), Bodies.DecodeFloats(reply.Binary.AsSpan(16)));
    }

    [Fact]
    public async Task An_output_can_opt_out_of_binary_data_output()
    {
        var body = JsonBody();
        body["parameters"] = new JsonObject { ["binary_data_output"] = true };
        body["outputs"] = new JsonArray(Bodies.RequestedOutput("sum", binary: false), Bodies.RequestedOutput("doubled"));

        var reply = await server.PostAsync("/v2/models/two_inputs/infer", body);

        Expect.OkBinary(reply);
        Assert.Equal(ExpectedSum, Bodies.ReadLongs(reply.Output("sum")["data"]!));
        Assert.Equal(24, reply.Output("doubled")["parameters"]!["binary_data_size"]!.GetValue<long>());
        Assert.Equal(A.Select(x => x * 2).ToArray(), Bodies.DecodeFloats(reply.Binary));
    }

    [Fact]
    public async Task Binary_bytes_are_length_prefixed_both_ways()
    {
        string[] values = ["héllo", "", "augur"];
        var data = Bodies.LengthPrefixed(values);
        var header = Bodies.Request(Bodies.BinaryInput("input", "BYTES", [3], data.Length));
        header["parameters"] = new JsonObject { ["binary_data_output"] = true };

        var reply = await server.PostBinaryAsync("/v2/models/identity_bytes/infer", header, data);

        Expect.OkBinary(reply);
        Assert.Equal(data.Length, reply.Output("output")["parameters"]!["binary_data_size"]!.GetValue<long>());
        Assert.Equal(values, Bodies.DecodeLengthPrefixed(reply.Binary));
    }

    [Fact]
    public async Task Binary_fp16_input_decodes_to_the_same_values_as_json()
    {
        Half[] values = [(Half)0.5, (Half)(-65504), (Half)3.140625, Half.Epsilon];
        var raw = new byte[8];
        for (var i = 0; i < values.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteHalfLittleEndian(raw.AsSpan(i * 2), values[i]);
        }

        var reply = await server.PostBinaryAsync("/v2/models/identity_fp16/infer", Bodies.Request(Bodies.BinaryInput("input", "FP16", [1, 4], 8)), raw);

        Expect.Ok(reply);
        Assert.Equal(values.Select(v => (float)v).ToArray(), Bodies.ReadFloats(reply.Output("output")["data"]!));
    }

    [Fact]
    public async Task A_header_length_equal_to_the_body_is_a_json_only_request()
    {
        var (body, length) = Bodies.WithBinary(JsonBody());

        var reply = await server.PostRawAsync("/v2/models/two_inputs/infer", body, length.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Expect.Ok(reply);
        Assert.Equal(ExpectedSum, Bodies.ReadLongs(reply.Output("sum")["data"]!));
    }

    private static JsonObject JsonBody() => Bodies.Request(
        Bodies.Input("a", "FP32", [2, 3], Bodies.Floats(A)),
        Bodies.Input("b", "INT64", [2, 1], Bodies.Longs(B)));
}
