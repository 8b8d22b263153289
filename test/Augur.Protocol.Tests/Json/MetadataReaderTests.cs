using System.Buffers;
using System.Text;
using System.Text.Json;
using Augur.Models;
using Augur.Protocol.Json;
using Augur.Tensors;

namespace Augur.Protocol.Tests.Json;

/// <summary>Reading a model's inputs from a metadata response, and refusing anything else with the documented exceptions only.</summary>
public sealed class MetadataReaderTests
{
    [Fact]
    public void Reads_the_inputs_the_writer_writes()
    {
        var metadata = new ModelMetadata(
            "fraud",
            ["1"],
            "onnxruntime_onnx",
            new ModelSignature([new TensorSpec("features", DataType.Fp32, [-1, 8]), new TensorSpec("s", DataType.Bytes, [])], []),
            8);
        var buffer = new ArrayBufferWriter<byte>();
        MetadataWriter.WriteModel(buffer, metadata);

        var inputs = MetadataReader.ReadInputs(Encoding.UTF8.GetString(buffer.WrittenSpan));

        Assert.Equal(["features", "s"], inputs.Select(i => i.Name));
        Assert.Equal([DataType.Fp32, DataType.Bytes], inputs.Select(i => i.DataType));
        Assert.Equal([-1L, 8L], inputs[0].Shape);
        Assert.Empty(inputs[1].Shape);
    }

    [Fact]
    public void An_unknown_datatype_reads_as_invalid()
    {
        var input = Assert.Single(MetadataReader.ReadInputs("""{"inputs": [{"name": "x", "datatype": "FP8", "shape": [1]}]}"""));

        Assert.Equal(DataType.Invalid, input.DataType);
    }

    [Theory]
    [InlineData("1.5", "a shape dimension is 1.5, not a 64-bit integer")]
    [InlineData("1e30", "a shape dimension is 1e30, not a 64-bit integer")]
    [InlineData("9223372036854775808", "a shape dimension is 9223372036854775808, not a 64-bit integer")]
    [InlineData("\"8\"", "a shape dimension is \"8\", not a 64-bit integer")]
    public void A_dimension_that_is_not_an_integer_is_an_invalid_operation(string dimension, string message)
    {
        // GetInt64 would throw FormatException here, which the reader's callers do not catch.
        var error = Assert.Throws<InvalidOperationException>(() =>
            MetadataReader.ReadInputs($$"""{"inputs": [{"name": "x", "datatype": "FP32", "shape": [{{dimension}}]}]}"""));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void A_null_name_is_an_invalid_operation()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            MetadataReader.ReadInputs("""{"inputs": [{"name": null, "datatype": "FP32", "shape": [1]}]}"""));

        Assert.Equal("an input's name is null, not a string", error.Message);
    }

    [Theory]
    [InlineData("not json", typeof(JsonException))]
    [InlineData("""{"error": "unknown model 'm'"}""", typeof(KeyNotFoundException))]
    [InlineData("""{"inputs": {}}""", typeof(InvalidOperationException))]
    [InlineData("""{"inputs": [{"name": 5, "datatype": "FP32", "shape": [1]}]}""", typeof(InvalidOperationException))]
    public void Other_bodies_are_refused_with_a_documented_exception(string body, Type expected)
    {
        var error = Record.Exception(() => MetadataReader.ReadInputs(body));

        Assert.IsAssignableFrom(expected, error);
    }
}
