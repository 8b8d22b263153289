using Augur.Protocol.Json;
using static Augur.Protocol.Tests.Json.ReaderHarness;

namespace Augur.Protocol.Tests.Json;

public sealed class InferRequestReaderErrorTests
{
    private const string AllTypes = "BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, BF16, FP32, FP64, BYTES";

    [Theory]
    [InlineData("[1, 2]", "the request must be a JSON object, not an array")]
    [InlineData("\"inputs\"", "the request must be a JSON object, not the string \"inputs\"")]
    [InlineData("42", "the request must be a JSON object, not the number 42")]
    [InlineData("null", "the request must be a JSON object, not null")]
    [InlineData("true", "the request must be a JSON object, not the boolean true")]
    public void NonObjectBody(string json, string expected) => Assert.Equal(expected, ReadError(json));

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"input": []}""")]
    [InlineData("""{"inputs": {}}""")]
    [InlineData("""{"inputs": null}""")]
    public void MissingInputsArray(string json) => Assert.Equal("the request needs an 'inputs' array", ReadError(json));

    [Theory]
    [InlineData("""{"inputs": [1]}""", "each input must be a JSON object, not the number 1")]
    [InlineData("""{"inputs": [["x"]]}""", "each input must be a JSON object, not an array")]
    [InlineData("""{"inputs": [null]}""", "each input must be a JSON object, not null")]
    public void InputNotAnObject(string json, string expected) => Assert.Equal(expected, ReadError(json));

    [Theory]
    [InlineData("""{"inputs": [{"datatype": "FP32", "shape": [1], "data": [1]}]}""")]
    [InlineData("""{"inputs": [{"name": "", "datatype": "FP32", "shape": [1], "data": [1]}]}""")]
    [InlineData("""{"inputs": [{"name": 7, "datatype": "FP32", "shape": [1], "data": [1]}]}""")]
    [InlineData("""{"inputs": [{"name": null, "datatype": "FP32", "shape": [1], "data": [1]}]}""")]
    public void MissingName(string json) => Assert.Equal("each input needs a non-empty string 'name'", ReadError(json));

    [Theory]
    [InlineData("""{"inputs": [{"name": "x", "shape": [1], "data": [1]}]}""")]
    [InlineData("""{"inputs": [{"name": "x", "datatype": 12, "shape": [1], "data": [1]}]}""")]
    public void MissingDatatype(string json) => Assert.Equal("input 'x' needs a string 'datatype'", ReadError(json));

    [Theory]
    [InlineData("FLOAT32")]
    [InlineData("fp32")]
    [InlineData("")]
    [InlineData("TYPE_FP32")]
    public void UnknownDatatype(string datatype) =>
        Assert.Equal($"input 'x' has unknown datatype '{datatype}'; expected one of {AllTypes}", ReadError(Input(datatype, "[1]", "[1]")));

    [Theory]
    [InlineData("""{"inputs": [{"name": "x", "datatype": "FP32", "data": [1]}]}""")]
    [InlineData("""{"inputs": [{"name": "x", "datatype": "FP32", "shape": 1, "data": [1]}]}""")]
    [InlineData("""{"inputs": [{"name": "x", "datatype": "FP32", "shape": "[1]", "data": [1]}]}""")]
    public void MissingShape(string json) => Assert.Equal("input 'x' needs a 'shape' array", ReadError(json));

    [Theory]
    [InlineData("[1.5]", "shape dimension 0 is the number 1.5, not an integer")]
    [InlineData("[2, \"3\"]", "shape dimension 1 is the string \"3\", not an integer")]
    [InlineData("[1, null]", "shape dimension 1 is null, not an integer")]
    [InlineData("[[1]]", "shape dimension 0 is an array, not an integer")]
    [InlineData("[9223372036854775808]", "shape dimension 0 is the number 9223372036854775808, not an integer")]
    public void ShapeWithANonInteger(string shape, string expected) =>
        Assert.Equal($"input 'x': {expected}", ReadError(Input("FP32", shape, "[1]")));

    [Theory]
    [InlineData("[-1]", "shape [-1] has a negative dimension (-1)")]
    [InlineData("[2, -3]", "shape [2,-3] has a negative dimension (-3)")]
    public void NegativeDimension(string shape, string expected) =>
        Assert.Equal($"input 'x': {expected}", ReadError(Input("FP32", shape, "[1]")));

    [Theory]
    [InlineData("[100000, 100000]", "shape [100000,100000] has more than 2147483647 elements")]
    [InlineData("[9223372036854775807, 2]", "shape [9223372036854775807,2] has more than 2147483647 elements")]
    [InlineData("[4294967296, 4294967296]", "shape [4294967296,4294967296] has more than 2147483647 elements")]
    public void OverflowingDimensions(string shape, string expected) =>
        Assert.Equal($"input 'x': {expected}", ReadError(Input("FP32", shape, "[1]")));

    [Theory]
    [InlineData("[2]", "[1, 2, 3]", "the shape needs 2 elements but data has 3")]
    [InlineData("[2, 2]", "[[1, 2], [3]]", "the nesting of data does not match shape [2,2]")]
    [InlineData("[2, 2]", "[[1, 2, 3], [4]]", "the nesting of data does not match shape [2,2]")]
    [InlineData("[4]", "[[1, 2], [3, 4]]", "the nesting of data does not match shape [4]")]
    [InlineData("[2, 2]", "[1, [2, 3], 4]", "data mixes arrays and values; send it flat or nested to match the shape")]
    [InlineData("[1]", "[]", "the shape needs 1 elements but data has 0")]
    [InlineData("[]", "[]", "the shape needs 1 elements but data has 0")]
    public void DataCountMismatch(string shape, string data, string expected) =>
        Assert.Equal($"input 'x': {expected}", ReadError(Input("FP32", shape, data)));

    [Theory]
    [InlineData("5", "data must be a JSON array, not the number 5")]
    [InlineData("\"abc\"", "data must be a JSON array, not the string \"abc\"")]
    [InlineData("{}", "data must be a JSON array, not an object")]
    [InlineData("null", "data must be a JSON array, not null")]
    public void DataNotAnArray(string data, string expected) =>
        Assert.Equal($"input 'x': {expected}", ReadError(Input("FP32", "[1]", data)));

    [Theory]
    [InlineData("FP32", "[\"a\"]", "element 0 is the string \"a\", not a number (datatype FP32)")]
    [InlineData("FP64", "[1, \"nan\"]", "element 1 is the string \"nan\", not a number (datatype FP64)")]
    [InlineData("FP16", "[\"inf\"]", "element 0 is the string \"inf\", not a number (datatype FP16)")]
    [InlineData("BF16", "[\"1.5\"]", "element 0 is the string \"1.5\", not a number (datatype BF16)")]
    [InlineData("FP32", "[null]", "element 0 is null, not a number (datatype FP32)")]
    [InlineData("FP32", "[true]", "element 0 is the boolean true, not a number (datatype FP32)")]
    [InlineData("FP32", "[{}]", "element 0 is an object, not a number (datatype FP32)")]
    [InlineData("INT32", "[\"1\"]", "element 0 is the string \"1\", not an integer (datatype INT32)")]
    [InlineData("UINT64", "[false]", "element 0 is the boolean false, not an integer (datatype UINT64)")]
    [InlineData("INT64", "[null]", "element 0 is null, not an integer (datatype INT64)")]
    public void NonNumericValue(string datatype, string data, string expected)
    {
        var count = System.Text.Json.JsonDocument.Parse(data).RootElement.GetArrayLength();
        Assert.Equal($"input 'x': {expected}", ReadError(Input(datatype, $"[{count}]", data)));
    }

    [Theory]
    [InlineData("INT8", "300", "(300) is out of range for INT8 (-128 to 127)")]
    [InlineData("INT8", "-129", "(-129) is out of range for INT8 (-128 to 127)")]
    [InlineData("UINT8", "-1", "(-1) is out of range for UINT8 (0 to 255)")]
    [InlineData("UINT8", "256", "(256) is out of range for UINT8 (0 to 255)")]
    [InlineData("INT16", "32768", "(32768) is out of range for INT16 (-32768 to 32767)")]
    [InlineData("UINT16", "65536", "(65536) is out of range for UINT16 (0 to 65535)")]
    [InlineData("INT32", "2147483648", "(2147483648) is out of range for INT32 (-2147483648 to 2147483647)")]
    [InlineData("UINT32", "-1", "(-1) is out of range for UINT32 (0 to 4294967295)")]
    [InlineData("UINT32", "4294967296", "(4294967296) is out of range for UINT32 (0 to 4294967295)")]
    [InlineData("INT64", "9223372036854775808", "(9223372036854775808) is not an integer in the range of INT64")]
    [InlineData("UINT64", "-1", "(-1) is not an integer in the range of UINT64")]
    [InlineData("UINT64", "18446744073709551616", "(18446744073709551616) is not an integer in the range of UINT64")]
    public void OutOfRangeInteger(string datatype, string value, string expected) =>
        Assert.Equal($"input 'x': element 0 {expected}", ReadError(Input(datatype, "[1]", $"[{value}]")));

    [Theory]
    [InlineData("FP32", "1e39")]
    [InlineData("FP32", "-3.5e38")]
    [InlineData("FP16", "70000")]
    [InlineData("BF16", "4e38")]
    public void FiniteFloatTooLargeForTheDatatype(string datatype, string value) =>
        Assert.Equal($"input 'x': element 0 ({value}) is out of range for {datatype}", ReadError(Input(datatype, "[1]", $"[{value}]")));

    [Theory]
    [InlineData("INT32", "1.5")]
    [InlineData("INT64", "-0.25")]
    [InlineData("UINT8", "2.5")]
    [InlineData("UINT64", "1.5")]
    public void FractionalValueForAnIntegerType(string datatype, string value) =>
        Assert.Equal($"input 'x': element 0 ({value}) is not an integer in the range of {datatype}", ReadError(Input(datatype, "[1]", $"[{value}]")));

    [Theory]
    [InlineData("1", "the number 1")]
    [InlineData("0", "the number 0")]
    [InlineData("\"true\"", "the string \"true\"")]
    [InlineData("null", "null")]
    public void NonBooleanForBool(string value, string described) =>
        Assert.Equal($"input 'x': element 0 is {described}, not a boolean (datatype BOOL)", ReadError(Input("BOOL", "[1]", $"[{value}]")));

    [Theory]
    [InlineData("1", "the number 1")]
    [InlineData("null", "null")]
    [InlineData("true", "the boolean true")]
    [InlineData("{}", "an object")]
    public void NonStringForBytes(string value, string described) =>
        Assert.Equal($"input 'x': element 0 is {described}, not a string (datatype BYTES)", ReadError(Input("BYTES", "[1]", $"[{value}]")));

    [Fact]
    public void LongStrings_AreTruncatedInMessages()
    {
        var message = ReadError(Input("FP32", "[1]", $"[\"{new string('a', 100)}\"]"));

        Assert.Equal($"input 'x': element 0 is the string \"{new string('a', 36)}..., not a number (datatype FP32)", message);
    }

    [Theory]
    [InlineData("""{"\uD800": 1, "inputs": []}""")]
    [InlineData("""{"inputs": [{"\uDC00x": 1, "name": "x", "datatype": "FP32", "shape": [1], "data": [1]}]}""")]
    public void A_member_name_with_a_lone_surrogate_escape_is_a_clear_error(string json)
    {
        Assert.StartsWith("the request JSON has a string that is not valid Unicode", ReadError(json), StringComparison.Ordinal);
    }

    [Fact]
    public void NestingDeeperThanMaxDepth_IsRejected()
    {
        var data = new string('[', 40) + "1" + new string(']', 40);

        Assert.Equal("the request JSON is nested deeper than 32 levels", ReadError(Input("FP32", "[1]", data)));
    }

    [Fact]
    public void MaxDepth_IsConfigurable()
    {
        var json = Input("FP32", "[1, 1]", "[[1]]"); // depth 5: object, inputs, input, data, row
        var options = new JsonCodecOptions { MaxDepth = 4 };

        Assert.Equal("the request JSON is nested deeper than 4 levels", ReadError(json, options));
        Assert.Equal(32, new JsonCodecOptions().MaxDepth);
        ReadOk(Utf8(json), null, options: new JsonCodecOptions { MaxDepth = 5 });
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("""{"inputs": [""")]
    [InlineData("""{"inputs": []} trailing""")]
    [InlineData("""{'inputs': []}""")]
    [InlineData("""{"inputs": [],}""")]
    [InlineData("""{"inputs": [] /* comment */}""")]
    public void MalformedJson(string json) => Assert.StartsWith("the request body is not valid JSON: ", ReadError(json));

    [Theory]
    [InlineData("{\"id\": \"\u0001\", \"inputs\": []}")]
    [InlineData("{\"inputs\": [{\"name\": \"\u0001\", \"datatype\": \"BYTES\", \"shape\": [1], \"data\": [\"a\"]}]}")]
    [InlineData("{\"inputs\": [{\"name\": \"x\", \"datatype\": \"BYTES\", \"shape\": [1], \"data\": [\"\u0001\"]}]}")]
    [InlineData("{\"inputs\": [{\"name\": \"x\", \"datatype\": \"\u0001\", \"shape\": [1], \"data\": [1]}]}")]
    public void InvalidUtf8InAString_IsRejectedNotThrown(string template)
    {
        // \u0001 in the template marks where the raw bytes FF FE (never valid UTF-8) go.
        var parts = template.Split('\u0001');
        byte[] body = [.. Utf8(parts[0]), 0xFF, 0xFE, .. Utf8(parts[1])];

        string? message = null;
        var ex = Record.Exception(() => message = ReadError(body, null));

        Assert.Null(ex);
        Assert.False(string.IsNullOrEmpty(message));
    }

    [Fact]
    public void NeitherDataNorBinary() =>
        Assert.Equal("input 'x' has neither 'data' nor a binary_data_size parameter", ReadError("""{"inputs": [{"name": "x", "datatype": "FP32", "shape": [1]}]}"""));

    [Theory]
    [InlineData("5")]
    [InlineData("{}")]
    [InlineData("\"y\"")]
    [InlineData("null")]
    public void OutputsNotAnArray(string outputs) =>
        Assert.Equal("the request 'outputs' must be an array", ReadError($$"""{"inputs": [], "outputs": {{outputs}}}"""));

    [Theory]
    [InlineData("[{}]")]
    [InlineData("[{\"name\": 1}]")]
    [InlineData("[{\"name\": null}]")]
    [InlineData("[\"y\"]")]
    [InlineData("[{\"name\": \"a\"}, {\"parameters\": {}}]")]
    public void OutputWithoutName(string outputs) =>
        Assert.Equal("each requested output must be an object with a string 'name'", ReadError($$"""{"inputs": [], "outputs": {{outputs}}}"""));

    [Theory]
    [InlineData("""{"inputs": [], "parameters": []}""", "the parameters of the request must be an object")]
    [InlineData("""{"inputs": [], "parameters": "binary"}""", "the parameters of the request must be an object")]
    [InlineData("""{"inputs": [], "outputs": [{"name": "y", "parameters": 1}]}""", "the parameters of output 'y' must be an object")]
    [InlineData("""{"inputs": [{"name": "x", "datatype": "FP32", "shape": [1], "data": [1], "parameters": [1]}]}""", "the parameters of input 'x' must be an object")]
    public void ParametersNotAnObject(string json, string expected) => Assert.Equal(expected, ReadError(json));

    [Theory]
    [InlineData("""{"inputs": [], "outputs": [{"name": "y", "parameters": {"binary_data": 1}}]}""", "parameter 'binary_data' of output 'y' must be a boolean, not the number 1")]
    [InlineData("""{"inputs": [], "outputs": [{"name": "y", "parameters": {"binary_data": "true"}}]}""", "parameter 'binary_data' of output 'y' must be a boolean, not the string \"true\"")]
    [InlineData("""{"inputs": [], "outputs": [{"name": "y", "parameters": {"binary_data": null}}]}""", "parameter 'binary_data' of output 'y' must be a boolean, not null")]
    [InlineData("""{"inputs": [], "parameters": {"binary_data_output": 0}}""", "parameter 'binary_data_output' of the request must be a boolean, not the number 0")]
    public void BinaryFlagNotABoolean(string json, string expected) => Assert.Equal(expected, ReadError(json));

    [Theory]
    [InlineData("1")]
    [InlineData("null")]
    [InlineData("{}")]
    public void IdNotAString(string id) => Assert.Equal("the request 'id' must be a string", ReadError($$"""{"id": {{id}}, "inputs": []}"""));

    [Fact]
    public void TheFirstBadInput_IsReported()
    {
        var message = ReadError("""
            {"inputs": [
              {"name": "good", "datatype": "INT8", "shape": [1], "data": [1]},
              {"name": "bad", "datatype": "INT8", "shape": [1], "data": [1000]},
              {"name": "worse", "datatype": "NOPE", "shape": [1], "data": [1]}
            ]}
            """);

        Assert.Equal("input 'bad': element 0 (1000) is out of range for INT8 (-128 to 127)", message);
    }
}
