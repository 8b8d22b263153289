using System.Text.Json.Nodes;
using Augur.Inference;
using Augur.OnnxRuntime.Samples;
using Augur.Tensors;

namespace Augur.Server.Tests;

/// <summary>The same request in process (<c>engine.InferAsync</c>) and over HTTP gives the same outputs, bit for bit.</summary>
[Collection(ServerCollection.Name)]
public sealed class EquivalenceTests(ServerFixture server)
{
    private static readonly Dictionary<string, (string Model, InferenceTensor[] Inputs)> Cases = new()
    {
        ["fraud"] = ("fraud", [InferenceTensor.Create("features", FraudData.Generate(5, 11).SelectMany(r => r).ToArray(), 5, 8)]),
        ["two_inputs"] = ("two_inputs",
        [
            InferenceTensor.Create("a", new[] { 1.5f, 2.9f, -1.7f, 1e7f, -0.1f, 0.3333333f, 123.456f, -99.5f, 0f }, 3, 3),
            InferenceTensor.Create("b", new[] { 1L, long.MaxValue / 2, -7 }, 3, 1),
        ]),
        ["bytes"] = ("identity_bytes", [InferenceTensor.CreateStrings("input", ["a", "", "日本語", "augur"], 4)]),
        ["fp16"] = ("identity_fp16", [InferenceTensor.Create("input", new[] { (Half)0.1, (Half)(-1.5), Half.MaxValue, (Half)1e-5, (Half)3, (Half)4, (Half)5, (Half)6 }, 2, 4)]),
        ["bf16"] = ("identity_bf16", [InferenceTensor.Create("input", new[] { (BFloat16)0.1f, (BFloat16)(-1.5f), (BFloat16)3e38f, (BFloat16)1e-30f }, 1, 4)]),
        ["uint64"] = ("identity_uint64", [InferenceTensor.Create("input", new[] { 0UL, 42UL, ulong.MaxValue - 1, 1UL << 63 }, 1, 4)]),
        ["bool"] = ("identity_bool", [InferenceTensor.Create("input", new[] { true, false, false, true }, 1, 4)]),
        ["int8"] = ("identity_int8", [InferenceTensor.Create("input", new sbyte[] { -128, 127, 0, -5 }, 1, 4)]),
        ["fp32_2d"] = ("identity_fp32", [InferenceTensor.Create("input", new[] { 0.1f, 0.2f, 0.3f, 1f / 3, float.Epsilon, -0f }, 3, 2)]),
    };

    public static TheoryData<string> CaseNames() => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Json_over_http_matches_in_process(string name)
    {
        var (model, inputs) = Cases[name];
        var local = await server.Engine.InferAsync(new InferenceRequest(model, inputs) { Id = name });

        var reply = await server.PostAsync($"/v2/models/{model}/infer", WithId(Bodies.Request(inputs.Select(Bodies.ToJsonInput).ToArray()), name));

        var json = Expect.Ok(reply);
        Assert.Equal(local.ModelName, json["model_name"]!.GetValue<string>());
        Assert.Equal(local.ModelVersion, json["model_version"]!.GetValue<string>());
        Assert.Equal(name, json["id"]!.GetValue<string>());
        Assert.Equal(local.Outputs.Select(o => o.Name).ToArray(), reply.OutputNames);
        foreach (var expected in local.Outputs)
        {
            var output = reply.Output(expected.Name);
            Assert.Equal(expected.DataType.Name(), output["datatype"]!.GetValue<string>());
            Assert.Equal(expected.Shape.ToArray(), Bodies.ReadShape(output));
            Assert.Equal(expected.Data.ToArray(), Bodies.FromJsonData(expected.DataType, output["data"]!));
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Binary_over_http_matches_in_process(string name)
    {
        var (model, inputs) = Cases[name];
        var local = await server.Engine.InferAsync(new InferenceRequest(model, inputs));
        var header = Bodies.Request(inputs.Select(i => Bodies.BinaryInput(i.Name, i.DataType.Name(), i.Shape.ToArray(), i.Data.Length)).ToArray());
        header["parameters"] = new JsonObject { ["binary_data_output"] = true };

        var reply = await server.PostBinaryAsync($"/v2/models/{model}/infer", header, inputs.Select(i => i.Data.ToArray()).ToArray());

        Expect.OkBinary(reply);
        var binary = reply.Binary;
        var offset = 0;
        Assert.Equal(local.Outputs.Select(o => o.Name).ToArray(), reply.OutputNames);
        foreach (var expected in local.Outputs)
        {
            var output = reply.Output(expected.Name);
            Assert.Equal(expected.DataType.Name(), output["datatype"]!.GetValue<string>());
            Assert.Equal(expected.Shape.ToArray(), Bodies.ReadShape(output));
            var size = (int)output["parameters"]!["binary_data_size"]!.GetValue<long>();
            Assert.Equal(expected.Data.ToArray(), binary.AsSpan(offset, size).ToArray());
            offset += size;
        }

        Assert.Equal(binary.Length, offset);
    }

    [Fact]
    public async Task Errors_are_the_same_in_process_and_over_http()
    {
        var request = new InferenceRequest("fraud", [InferenceTensor.Create("features", new float[7], 1, 7)]);
        var local = await server.Engine.TryInferAsync(request);

        var reply = await server.PostAsync("/v2/models/fraud/infer", Bodies.Request(Bodies.ToJsonInput(request.Inputs[0])));

        Assert.False(local.IsSuccess);
        Expect.Error(reply, 400);
        Assert.Equal(local.Error.Message, reply.Error);
    }

    private static JsonObject WithId(JsonObject body, string id)
    {
        body["id"] = id;
        return body;
    }
}
