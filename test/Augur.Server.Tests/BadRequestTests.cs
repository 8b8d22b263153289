using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Augur.OnnxRuntime.Samples;

namespace Augur.Server.Tests;

/// <summary>
/// Every bad request gets its exact status and a <c>{"error": ...}</c> message naming the input or problem; none is a 500.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class BadRequestTests(ServerFixture server)
{
    private const string Fraud = "/v2/models/fraud/infer";

    private static readonly float[] Row = [0.1f, 0, 0.2f, -0.3f, 1, 1, 0.5f, 0.4f];

    /// <summary>A bad request: where it goes, its body (and header length), and the exact answer expected.</summary>
    public sealed record Case(string Path, byte[] Body, string? HeaderLength, int Status, params string[] Parts);

    private static readonly Dictionary<string, Case> Cases = BuildCases();

    public static TheoryData<string> CaseNames() => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Bad_request_gets_its_exact_status_and_a_message_naming_the_problem(string name)
    {
        var (path, body, headerLength, status, parts) = Cases[name];

        var reply = await server.PostRawAsync(path, body, headerLength);

        Expect.Error(reply, status, parts);
    }

    /// <summary>Malformed bodies of every shape, by name: all are the client's fault (400), none may reach a 500.</summary>
    private static readonly Dictionary<string, string> Malformed = new()
    {
        ["empty body"] = "",
        ["whitespace body"] = " ",
        ["null"] = "null",
        ["string"] = "\"text\"",
        ["number"] = "42",
        ["boolean"] = "true",
        ["empty object"] = "{}",
        ["inputs an object"] = """{"inputs":{}}""",
        ["inputs null"] = """{"inputs":null}""",
        ["input a number"] = """{"inputs":[1]}""",
        ["input null"] = """{"inputs":[null]}""",
        ["input empty"] = """{"inputs":[{}]}""",
        ["name empty"] = """{"inputs":[{"name":""}]}""",
        ["name a number"] = """{"inputs":[{"name":7,"datatype":"FP32","shape":[1,8],"data":[0,0,0,0,0,0,0,0]}]}""",
        ["datatype missing"] = """{"inputs":[{"name":"features","shape":[1,8],"data":[0,0,0,0,0,0,0,0]}]}""",
        ["datatype a number"] = """{"inputs":[{"name":"features","datatype":12,"shape":[1,8],"data":[0,0,0,0,0,0,0,0]}]}""",
        ["datatype lower case"] = """{"inputs":[{"name":"features","datatype":"fp32","shape":[1,8],"data":[0,0,0,0,0,0,0,0]}]}""",
        ["shape missing"] = """{"inputs":[{"name":"features","datatype":"FP32","data":[0,0,0,0,0,0,0,0]}]}""",
        ["shape a string"] = """{"inputs":[{"name":"features","datatype":"FP32","shape":"1,8","data":[0,0,0,0,0,0,0,0]}]}""",
        ["shape fractional"] = """{"inputs":[{"name":"features","datatype":"FP32","shape":[1.5,8],"data":[0,0,0,0,0,0,0,0]}]}""",
        ["shape with a string"] = """{"inputs":[{"name":"features","datatype":"FP32","shape":["1",8],"data":[0,0,0,0,0,0,0,0]}]}""",
        ["shape beyond long"] = """{"inputs":[{"name":"features","datatype":"FP32","shape":[1e30,8],"data":[0,0,0,0,0,0,0,0]}]}""",
        ["data missing"] = """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,8]}]}""",
        ["data null"] = """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,8],"data":null}]}""",
        ["data a string"] = """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,8],"data":"0,0,0,0,0,0,0,0"}]}""",
        ["data an object"] = """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,8],"data":{"0":0}}]}""",
        ["element an object"] = """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,8],"data":[0,0,0,0,0,0,0,{}]}]}""",
        ["element null"] = """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,8],"data":[0,0,0,0,0,0,0,null]}]}""",
        ["element a boolean"] = """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,8],"data":[0,0,0,0,0,0,0,true]}]}""",
        ["element lower-case nan"] = """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,8],"data":[0,0,0,0,0,0,0,"nan"]}]}""",
        ["input parameters a string"] = """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,8],"data":[0,0,0,0,0,0,0,0],"parameters":"x"}]}""",
        ["binary_data_size negative"] = """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,8],"parameters":{"binary_data_size":-1}}]}""",
        ["binary_data_size a string"] = """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,8],"parameters":{"binary_data_size":"32"}}]}""",
        ["binary_data_size fractional"] = """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,8],"parameters":{"binary_data_size":1.5}}]}""",
        ["binary_data_size without binary data"] = """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,8],"parameters":{"binary_data_size":32}}]}""",
        ["request parameters an array"] = """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,8],"data":[0,0,0,0,0,0,0,0]}],"parameters":[]}""",
        ["binary_data_output a string"] = """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,8],"data":[0,0,0,0,0,0,0,0]}],"parameters":{"binary_data_output":"yes"}}""",
        ["outputs an object"] = """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,8],"data":[0,0,0,0,0,0,0,0]}],"outputs":{}}""",
        ["output empty"] = """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,8],"data":[0,0,0,0,0,0,0,0]}],"outputs":[{}]}""",
        ["output a string"] = """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,8],"data":[0,0,0,0,0,0,0,0]}],"outputs":["label"]}""",
        ["binary_data a number"] = """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,8],"data":[0,0,0,0,0,0,0,0]}],"outputs":[{"name":"label","parameters":{"binary_data":1}}]}""",
        ["id a number"] = """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,8],"data":[0,0,0,0,0,0,0,0]}],"id":42}""",
        ["no inputs for a model with inputs"] = """{"inputs":[]}""",
        ["trailing garbage"] = """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,8],"data":[0,0,0,0,0,0,0,0]}]} trailing""",
        ["comment"] = """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,8],"data":[0,0,0,0,0,0,0,0]}]} /* comment */""",
        ["trailing comma"] = """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,8],"data":[0,0,0,0,0,0,0,0,]}]}""",
        ["single quotes"] = """{"inputs":[{'name':'features'}]}""",
        // Escapes that decode to invalid UTF-16 (a lone surrogate), wherever the reader takes a string.
        ["lone surrogate in an input name"] = """{"inputs":[{"name":"\ud800","datatype":"FP32","shape":[1,8],"data":[0,0,0,0,0,0,0,0]}]}""",
        ["lone surrogate in a datatype"] = """{"inputs":[{"name":"features","datatype":"\udc00","shape":[1,8],"data":[0,0,0,0,0,0,0,0]}]}""",
        ["lone surrogate in the id"] = """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,8],"data":[0,0,0,0,0,0,0,0]}],"id":"\ud800"}""",
        ["lone surrogate in an output name"] = """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,8],"data":[0,0,0,0,0,0,0,0]}],"outputs":[{"name":"\ud800"}]}""",
        ["lone surrogate in a float element"] = """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,8],"data":[0,0,0,0,0,0,0,"\ud800"]}]}""",
    };

    public static TheoryData<string> MalformedNames() => new(Malformed.Keys);

    [Theory]
    [MemberData(nameof(MalformedNames))]
    public async Task Malformed_bodies_are_400_never_500(string name)
    {
        var reply = await server.PostRawAsync(Fraud, Encoding.UTF8.GetBytes(Malformed[name]));

        Expect.Error(reply, 400);
    }

    /// <summary>Bytes that are not UTF-8 inside JSON strings ('#' marks where); the reader checks them only when a string is read.</summary>
    private static readonly Dictionary<string, string> InvalidUtf8 = new()
    {
        ["input name"] = """{"inputs":[{"name":"#","datatype":"FP32","shape":[1,8],"data":[0,0,0,0,0,0,0,0]}]}""",
        ["datatype"] = """{"inputs":[{"name":"features","datatype":"#","shape":[1,8],"data":[0,0,0,0,0,0,0,0]}]}""",
        ["id"] = """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,8],"data":[0,0,0,0,0,0,0,0]}],"id":"#"}""",
        ["output name"] = """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,8],"data":[0,0,0,0,0,0,0,0]}],"outputs":[{"name":"#"}]}""",
        ["float element"] = """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,8],"data":[0,0,0,0,0,0,0,"#"]}]}""",
        ["shape element"] = """{"inputs":[{"name":"features","datatype":"FP32","shape":["#",8],"data":[0,0,0,0,0,0,0,0]}]}""",
    };

    public static TheoryData<string> InvalidUtf8Names() => new(InvalidUtf8.Keys);

    [Theory]
    [MemberData(nameof(InvalidUtf8Names))]
    public async Task Invalid_utf8_in_a_json_string_is_400_never_500(string name)
    {
        // 0xFF never appears in UTF-8; 0xC3 starts a two-byte sequence that 0x28 does not continue.
        var body = Encoding.UTF8.GetBytes(InvalidUtf8[name]).SelectMany(b => b == (byte)'#' ? new byte[] { 0xFF, 0xC3, 0x28 } : [b]).ToArray();

        var reply = await server.PostRawAsync(Fraud, body);

        Expect.Error(reply, 400);
    }

    [Theory]
    [InlineData("identity_fp32", "FP32", "1e39")]
    [InlineData("identity_fp32", "FP32", "-1e39")]
    [InlineData("identity_fp32", "FP32", "1e400")]
    [InlineData("identity_fp16", "FP16", "70000")]
    public async Task A_finite_number_beyond_the_float_datatype_is_400_not_infinity(string model, string datatype, string number)
    {
        // Integers out of range are rejected; a finite float out of range must not silently become ±Infinity
        // (clients that mean Infinity send the string "Infinity").
        var body = $$"""{"inputs":[{"name":"input","datatype":"{{datatype}}","shape":[1,4],"data":[1,{{number}},2,3]}]}""";

        var reply = await server.PostRawAsync($"/v2/models/{model}/infer", Encoding.UTF8.GetBytes(body));

        Expect.Error(reply, 400, "input 'input'", "element 1");
    }

    [Fact]
    public async Task Invalid_utf8_in_a_bytes_element_is_400_never_500()
    {
        var template = """{"inputs":[{"name":"input","datatype":"BYTES","shape":[2],"data":["ok","#"]}]}""";
        var body = Encoding.UTF8.GetBytes(template).SelectMany(b => b == (byte)'#' ? new byte[] { 0xFF, 0xFE } : [b]).ToArray();

        var reply = await server.PostRawAsync("/v2/models/identity_bytes/infer", body);

        Expect.Error(reply, 400, "UTF-8");
    }

    [Fact]
    public async Task Unknown_model_is_404()
    {
        Expect.Error(await server.PostAsync("/v2/models/no_such_model/infer", ValidFraudBody()), 404, "unknown model 'no_such_model'");
    }

    [Fact]
    public async Task Unknown_version_is_404_listing_the_served_versions()
    {
        var body = Bodies.Request(Bodies.Input("input", "FP32", [1, 3], Bodies.Floats(1, 2, 3)));

        Expect.Error(await server.PostAsync("/v2/models/versioned/versions/3/infer", body), 404, "'versioned'", "no version 3", "2, 1");
    }

    [Theory]
    [InlineData("one")]
    [InlineData("0")]
    [InlineData("007")]
    [InlineData("99999999999999999999")]
    public async Task Non_integer_version_is_400(string version)
    {
        var body = Bodies.Request(Bodies.Input("input", "FP32", [1, 3], Bodies.Floats(1, 2, 3)));

        Expect.Error(await server.PostAsync($"/v2/models/versioned/versions/{version}/infer", body), 400, $"'{version}'", "not a positive integer");
    }

    [Fact]
    public async Task Infer_on_a_broken_model_is_503_with_the_reason()
    {
        var body = Bodies.Request(Bodies.Input("input", "FP32", [1, 2], Bodies.Floats(1, 2)));

        Expect.Error(await server.PostAsync("/v2/models/broken/infer", body), 503, "model 'broken' is not ready");
        Expect.Error(await server.PostAsync("/v2/models/bad_config/infer", body), 503, "model 'bad_config' is not ready", "config.json");
    }

    [Fact]
    public async Task A_body_over_the_limit_with_content_length_is_413()
    {
        // Expect: 100-continue, as clients sending large bodies do: the server refuses from the headers alone,
        // so the client never writes a body that the server will not read.
        var request = new HttpRequestMessage(HttpMethod.Post, Fraud) { Content = new ByteArrayContent(new byte[ServerFixture.MaxBodyBytes + 1]) };
        request.Headers.ExpectContinue = true;

        var reply = await server.SendAsync(request);

        Expect.Error(reply, 413, "exceeds");
    }

    [Fact]
    public async Task A_chunked_body_over_the_limit_is_413()
    {
        var reply = await RawHttp.SendChunkedAsync(server.BaseAddress, Fraud, new byte[ServerFixture.MaxBodyBytes + 1], chunkSize: 64 * 1024);

        Expect.Error(reply, 413, "exceeds");
    }

    [Fact]
    public async Task A_body_of_exactly_the_limit_is_accepted_with_content_length()
    {
        Expect.Ok(await server.PostRawAsync(Fraud, PadTo(ValidFraudBody(), ServerFixture.MaxBodyBytes)));
    }

    [Theory]
    [InlineData(64 * 1024)]
    [InlineData(1000)]
    public async Task A_chunked_body_within_the_limit_is_accepted_whatever_the_chunk_size(int chunkSize)
    {
        // The limit is on the body, not on the chunked framing around it.
        var reply = await RawHttp.SendChunkedAsync(server.BaseAddress, Fraud, PadTo(ValidFraudBody(), ServerFixture.MaxBodyBytes - 64), chunkSize);

        Expect.Ok(reply);
    }

    [Fact]
    public async Task The_server_still_answers_after_rejecting_oversized_bodies()
    {
        var oversized = new HttpRequestMessage(HttpMethod.Post, Fraud) { Content = new ByteArrayContent(new byte[ServerFixture.MaxBodyBytes * 2]) };
        oversized.Headers.ExpectContinue = true;
        Expect.Error(await server.SendAsync(oversized), 413);
        Expect.Error(await RawHttp.SendChunkedAsync(server.BaseAddress, Fraud, new byte[ServerFixture.MaxBodyBytes + 1], chunkSize: 64 * 1024), 413);

        Expect.Ok(await server.PostAsync(Fraud, ValidFraudBody()));
    }

    private static JsonObject ValidFraudBody() => Bodies.Request(Bodies.FraudFeatures([Row]));

    /// <summary>The JSON followed by spaces (valid JSON whitespace) to exactly <paramref name="size"/> bytes.</summary>
    private static byte[] PadTo(JsonNode json, long size)
    {
        var bytes = Encoding.UTF8.GetBytes(json.ToJsonString());
        var padded = new byte[size];
        padded.AsSpan().Fill((byte)' ');
        bytes.CopyTo(padded, 0);
        return padded;
    }

    private static Dictionary<string, Case> BuildCases()
    {
        var cases = new Dictionary<string, Case>();

        void Json(string name, string path, JsonNode body, int status, params string[] parts) =>
            cases.Add(name, new Case(path, Encoding.UTF8.GetBytes(body.ToJsonString()), null, status, parts));

        void Binary(string name, string path, JsonNode header, byte[] binary, int status, params string[] parts)
        {
            var (body, length) = Bodies.WithBinary(header, binary);
            cases.Add(name, new Case(path, body, length.ToString(CultureInfo.InvariantCulture), status, parts));
        }

        JsonObject FraudInput(string datatype, long[] shape, JsonNode? data) => Bodies.Request(Bodies.Input("features", datatype, shape, data));

        var rowJson = Bodies.Floats(Row);
        Json("unknown input", Fraud, Bodies.Request(Bodies.Input("feature", "FP32", [1, 8], Bodies.Floats(Row))), 400,
            "model 'fraud' has no input 'feature'", "features");
        Json("missing input", "/v2/models/two_inputs/infer", Bodies.Request(Bodies.Input("a", "FP32", [1, 3], Bodies.Floats(1, 2, 3))), 400,
            "missing input 'b'", "two_inputs");
        Json("duplicate input", Fraud, Bodies.Request(Bodies.Input("features", "FP32", [1, 8], Bodies.Floats(Row)), Bodies.Input("features", "FP32", [1, 8], Bodies.Floats(Row))), 400,
            "input 'features' appears more than once");
        var unknownOutput = ValidFraudBody();
        unknownOutput["outputs"] = new JsonArray(Bodies.RequestedOutput("score"));
        Json("unknown requested output", Fraud, unknownOutput, 400, "model 'fraud' has no output 'score'", "probability, label");
        var duplicateOutput = ValidFraudBody();
        duplicateOutput["outputs"] = new JsonArray(Bodies.RequestedOutput("label"), Bodies.RequestedOutput("label"));
        Json("duplicate requested output", Fraud, duplicateOutput, 400, "output 'label' is requested more than once");
        Json("wrong datatype", Fraud, FraudInput("FP64", [1, 8], Bodies.Floats(Row)), 400, "input 'features'", "FP64", "expects FP32");
        Json("unknown datatype", Fraud, FraudInput("FLOAT32", [1, 8], Bodies.Floats(Row)), 400, "input 'features'", "unknown datatype 'FLOAT32'", "FP32");
        Json("wrong rank", Fraud, FraudInput("FP32", [8], Bodies.Floats(Row)), 400, "input 'features' has shape [8]", "[-1,8]");
        Json("wrong fixed dimension", Fraud, FraudInput("FP32", [1, 7], Bodies.Floats(Row[..7])), 400, "input 'features' has shape [1,7]", "[-1,8]");
        Json("shape disagrees with data", Fraud, FraudInput("FP32", [1, 8], Bodies.Floats(Row[..7])), 400, "input 'features'", "needs 8 elements", "has 7");
        Json("nested data disagrees with shape", Fraud, FraudInput("FP32", [2, 8], new JsonArray(Bodies.Floats(Row))), 400, "input 'features'");
        Json("ragged nested data", "/v2/models/identity_fp32/infer", Bodies.Request(Bodies.Input("input", "FP32", [2, 2], new JsonArray(Bodies.Floats(1, 2, 3), Bodies.Floats(4)))), 400,
            "input 'input'");
        Json("negative dimension", Fraud, FraudInput("FP32", [-1, 8], Bodies.Floats(Row)), 400, "input 'features'", "negative dimension (-1)");
        Json("overflowing dimensions", Fraud, FraudInput("FP32", [long.MaxValue, 2], Bodies.Floats(Row)), 400, "input 'features'", "[9223372036854775807,2]", "more than");
        Json("overflowing product", Fraud, FraudInput("FP32", [4294967296, 4294967296, 8], Bodies.Floats(Row)), 400, "input 'features'", "more than");
        Json("batch size zero", Fraud, FraudInput("FP32", [0, 8], new JsonArray()), 400, "input 'features'", "batch size 0");
        var nonNumeric = Bodies.Floats(Row);
        nonNumeric[3] = "abc";
        Json("non-numeric data", Fraud, FraudInput("FP32", [1, 8], nonNumeric), 400, "input 'features'", "element 3", "\"abc\"", "not a number");
        Json("out-of-range integer", "/v2/models/identity_int8/infer", Bodies.Request(Bodies.Input("input", "INT8", [1, 4], Bodies.Longs(1, 2, 300, 4))), 400,
            "input 'input'", "element 2", "300", "out of range for INT8");
        Json("negative unsigned integer", "/v2/models/identity_uint64/infer", Bodies.Request(Bodies.Input("input", "UINT64", [1, 4], Bodies.Longs(1, -2, 3, 4))), 400,
            "input 'input'", "element 1", "UINT64");
        Json("fractional integer", "/v2/models/two_inputs/infer", Bodies.Request(Bodies.Input("a", "FP32", [1, 3], Bodies.Floats(1, 2, 3)), Bodies.Input("b", "INT64", [1, 1], Bodies.Floats(1.5f))), 400,
            "input 'b'", "element 0", "1.5");
        Json("boolean given a number", "/v2/models/identity_bool/infer", Bodies.Request(Bodies.Input("input", "BOOL", [1, 4], new JsonArray(true, false, 1, true))), 400,
            "input 'input'", "element 2", "not a boolean");
        Json("string given a number", "/v2/models/identity_bytes/infer", Bodies.Request(Bodies.Input("input", "BYTES", [2], new JsonArray("a", 5))), 400,
            "input 'input'", "element 1", "not a string");
        Json("batch size above max", Fraud, Bodies.Request(Bodies.FraudFeatures(FraudData.Generate(65, 3))), 400,
            "input 'features'", "batch size 65", "at most 64");
        Json("batch sizes disagree", "/v2/models/two_inputs/infer", Bodies.Request(Bodies.Input("a", "FP32", [2, 3], Bodies.Floats(1, 2, 3, 4, 5, 6)), Bodies.Input("b", "INT64", [1, 1], Bodies.Longs(1))), 400,
            "'a' has 2", "'b' has 1");
        Json("both data and binary_data_size", Fraud, Bodies.Request(new JsonObject
        {
            ["name"] = "features", ["datatype"] = "FP32", ["shape"] = Bodies.Shape(1, 8), ["data"] = rowJson,
            ["parameters"] = new JsonObject { ["binary_data_size"] = 32 },
        }), 400, "input 'features' has both 'data' and binary_data_size");
        Json("neither data nor binary_data_size", Fraud, Bodies.Request(new JsonObject { ["name"] = "features", ["datatype"] = "FP32", ["shape"] = Bodies.Shape(1, 8) }), 400,
            "input 'features' has neither");

        var deep = new StringBuilder("""{"inputs":[{"name":"features","datatype":"FP32","shape":[1,8],"data":""");
        deep.Append('[', 100).Append('0').Append(']', 100).Append("}]}");
        cases.Add("nested deeper than the limit", new Case(Fraud, Encoding.UTF8.GetBytes(deep.ToString()), null, 400, "nested deeper than 32"));
        cases.Add("malformed json", new Case(Fraud, Encoding.UTF8.GetBytes("""{"inputs":[{"name":"features" """), null, 400, "not valid JSON"));
        cases.Add("body not an object", new Case(Fraud, Encoding.UTF8.GetBytes("[1,2,3]"), null, 400, "must be a JSON object", "an array"));
        cases.Add("no inputs array", new Case(Fraud, Encoding.UTF8.GetBytes("""{"id":"x"}"""), null, 400, "'inputs' array"));
        cases.Add("id not a string", new Case(Fraud, Encoding.UTF8.GetBytes("""{"id":1,"inputs":[]}"""), null, 400, "'id' must be a string"));

        var row = Bodies.LittleEndian(Row);
        Binary("binary_data_size larger than the remaining body", Fraud, Bodies.Request(Bodies.BinaryInput("features", "FP32", [1, 8], 32)), row[..16], 400,
            "input 'features'", "binary_data_size 32", "16 bytes");
        Binary("binary_data_size disagrees with the shape", Fraud, Bodies.Request(Bodies.BinaryInput("features", "FP32", [1, 8], 16)), row[..16], 400,
            "input 'features'", "binary_data_size 16", "32 bytes");
        Binary("leftover binary bytes", Fraud, Bodies.Request(Bodies.BinaryInput("features", "FP32", [1, 8], 32)), [.. row, .. new byte[8]], 400,
            "8 bytes of binary data that no input claims");
        Binary("binary data with no binary input", Fraud, ValidFraudBody(), row, 400, "32 bytes of binary data that no input claims");
        Binary("malformed binary bytes", "/v2/models/identity_bytes/infer", Bodies.Request(Bodies.BinaryInput("input", "BYTES", [1], 6)), [10, 0, 0, 0, (byte)'a', (byte)'b'], 400,
            "input 'input'", "malformed");
        Binary("huge binary_data_size", Fraud, Bodies.Request(Bodies.BinaryInput("features", "FP32", [1, 8], long.MaxValue)), row, 400,
            "input 'features'", "binary_data_size 9223372036854775807");

        var valid = Encoding.UTF8.GetBytes(ValidFraudBody().ToJsonString());
        cases.Add("header length larger than the body", new Case(Fraud, valid, (valid.Length + 1).ToString(CultureInfo.InvariantCulture), 400,
            "Inference-Header-Content-Length", $"{valid.Length + 1}", $"{valid.Length} bytes"));
        cases.Add("header length far beyond int", new Case(Fraud, valid, "9223372036854775807", 400, "Inference-Header-Content-Length"));
        cases.Add("header length overflowing long", new Case(Fraud, valid, "99999999999999999999", 400, "Inference-Header-Content-Length", "non-negative integer"));
        cases.Add("header length not numeric", new Case(Fraud, valid, "abc", 400, "Inference-Header-Content-Length", "non-negative integer"));
        cases.Add("header length negative", new Case(Fraud, valid, "-1", 400, "Inference-Header-Content-Length", "non-negative integer"));
        cases.Add("header length zero", new Case(Fraud, valid, "0", 400, "not valid JSON"));
        cases.Add("header length cutting the json", new Case(Fraud, valid, "10", 400, "not valid JSON"));
        return cases;
    }
}
