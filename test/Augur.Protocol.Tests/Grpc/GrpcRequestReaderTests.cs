using Augur.Errors;
using Augur.Inference;
using Augur.Protocol.Grpc;
using Augur.Tensors;
using Google.Protobuf;

namespace Augur.Protocol.Tests.Grpc;

/// <summary>Decoding ModelInferRequest: typed and raw contents into Augur's layout, parameters by the shared rules.</summary>
public sealed class GrpcRequestReaderTests
{
    private static ModelInferRequest Request(params InferenceTensor[] inputs) => GrpcRequestWriter.Create("m", null, inputs, raw: false);

    private static DecodedGrpcRequest ReadOk(ModelInferRequest request)
    {
        Assert.True(GrpcRequestReader.TryRead(request, out var decoded, out var error), error?.ToString());
        return decoded;
    }

    private static string ReadError(ModelInferRequest request)
    {
        Assert.False(GrpcRequestReader.TryRead(request, out _, out var error));
        Assert.Equal(ErrorCode.InvalidArgument, error!.Code);
        return error.Message;
    }

    public static TheoryData<InferenceTensor> EveryTypedDatatype() =>
    [
        InferenceTensor.Create("x", new[] { true, false }),
        InferenceTensor.Create("x", new sbyte[] { -128, 127 }),
        InferenceTensor.Create("x", new short[] { short.MinValue, short.MaxValue }),
        InferenceTensor.Create("x", new[] { int.MinValue, int.MaxValue }),
        InferenceTensor.Create("x", new[] { long.MinValue, long.MaxValue }),
        InferenceTensor.Create("x", new byte[] { 0, 255 }),
        InferenceTensor.Create("x", new ushort[] { 0, ushort.MaxValue }),
        InferenceTensor.Create("x", new[] { 0u, uint.MaxValue }),
        InferenceTensor.Create("x", new[] { 0ul, ulong.MaxValue }),
        InferenceTensor.Create("x", new[] { float.NegativeInfinity, 1.25f }),
        InferenceTensor.Create("x", new[] { double.NaN, -0.5 }),
        InferenceTensor.CreateStrings("x", ["a", "", "ü"]),
    ];

    [Theory]
    [MemberData(nameof(EveryTypedDatatype))]
    public void Typed_contents_decode_to_the_same_bytes_as_raw(InferenceTensor tensor)
    {
        var typed = ReadOk(Request(tensor));
        var raw = ReadOk(GrpcRequestWriter.Create("m", null, [tensor], raw: true));

        Assert.False(typed.RawOutputs);
        Assert.True(raw.RawOutputs);
        Assert.Equal(tensor.Data.ToArray(), typed.Request.Inputs[0].Data.ToArray());
        Assert.Equal(tensor.Data.ToArray(), raw.Request.Inputs[0].Data.ToArray());
        Assert.Equal(tensor.DataType, typed.Request.Inputs[0].DataType);
    }

    [Fact]
    public void Raw_contents_are_wrapped_without_a_copy()
    {
        var request = GrpcRequestWriter.Create("m", null, [InferenceTensor.Create("x", new[] { 1f, 2f })], raw: true);

        var input = ReadOk(request).Request.Inputs[0];

        Assert.True(input.Data.Span.Overlaps(request.RawInputContents[0].Span));
    }

    [Fact]
    public void Model_version_id_outputs_and_parameters_are_carried_over()
    {
        var request = Request(InferenceTensor.Create("x", new[] { 1f }));
        request.ModelVersion = "3";
        request.Id = "req-1";
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "b" });
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "a" });
        request.Parameters["priority"] = new InferParameter { Uint64Param = 2 };
        request.Parameters["timeout"] = new InferParameter { Int64Param = 250 };
        request.Parameters["sequence_id"] = new InferParameter { Uint64Param = ulong.MaxValue };
        request.Parameters["sequence_end"] = new InferParameter { BoolParam = true };
        request.Parameters["custom"] = new InferParameter { DoubleParam = 0.5 };

        var decoded = ReadOk(request).Request;

        Assert.Equal(("m", "3", "req-1"), (decoded.ModelName, decoded.ModelVersion, decoded.Id));
        Assert.Equal(["b", "a"], decoded.RequestedOutputs);
        Assert.Equal(2, decoded.Priority);
        Assert.Equal(TimeSpan.FromMicroseconds(250), decoded.Timeout);
        Assert.Equal(new SequenceControl(ulong.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture), End: true), decoded.Sequence);
    }

    [Theory]
    [InlineData(0L, null)]
    [InlineData(12L, "12")]
    public void An_int64_sequence_id_of_zero_means_none(long id, string? expected)
    {
        var request = Request(InferenceTensor.Create("x", new[] { 1f }));
        request.Parameters["sequence_id"] = new InferParameter { Int64Param = id };

        Assert.Equal(expected, ReadOk(request).Request.Sequence?.Id);
    }

    [Fact]
    public void Empty_fields_mean_not_given()
    {
        var decoded = ReadOk(Request(InferenceTensor.Create("x", new[] { 1f }))).Request;

        Assert.Equal((null, null, null, null), (decoded.ModelVersion, decoded.Id, decoded.RequestedOutputs, decoded.Sequence));
    }

    [Fact]
    public void An_empty_tensor_needs_no_contents()
    {
        var request = new ModelInferRequest { ModelName = "m", Inputs = { new ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = "FP32", Shape = { 0, 3 } } } };

        Assert.Equal(0, ReadOk(request).Request.Inputs[0].ElementCount);
    }

    [Theory]
    [InlineData("INT16", 40000, "input 'x': element 0 is 40000, outside the datatype's range -32768..32767")]
    [InlineData("UINT8", 256, "input 'x': element 0 is 256, outside the datatype's range 0..255")]
    public void Narrow_integers_out_of_range_are_refused(string datatype, int value, string message)
    {
        var contents = new InferTensorContents();
        if (datatype == "UINT8")
        {
            contents.UintContents.Add((uint)value);
        }
        else
        {
            contents.IntContents.Add(value);
        }

        var request = new ModelInferRequest { ModelName = "m", Inputs = { new ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = datatype, Shape = { 1 }, Contents = contents } } };

        Assert.Equal(message, ReadError(request));
    }

    [Fact]
    public void Shared_memory_is_refused_by_name()
    {
        var request = Request(InferenceTensor.Create("x", new[] { 1f }));
        request.Inputs[0].Parameters["shared_memory_region"] = new InferParameter { StringParam = "r" };

        Assert.Equal("input 'x': shared memory is not supported; send the data in the request", ReadError(request));
    }

    [Fact]
    public void An_input_without_a_name_is_refused_by_position()
    {
        var request = Request(InferenceTensor.Create("x", new[] { 1f }));
        request.Inputs[0].Name = string.Empty;

        Assert.Equal("input 0 needs a name", ReadError(request));
    }

    [Fact]
    public void A_BF16_output_makes_the_response_raw_even_for_a_typed_request()
    {
        var response = new InferenceResponse("m", "1", "id", [InferenceTensor.Create("y", new[] { (BFloat16)1f }), InferenceTensor.Create("z", new[] { 2f })], default);

        var message = GrpcResponseWriter.Write(response, raw: false);

        Assert.Equal(2, message.RawOutputContents.Count);
        Assert.Equal([(BFloat16)1f], GrpcResponseReader.ReadOutputs(message)[0].ToArray<BFloat16>());
        Assert.Equal(ByteString.CopyFrom(BitConverter.GetBytes(2f)), message.RawOutputContents[1]);
    }
}
