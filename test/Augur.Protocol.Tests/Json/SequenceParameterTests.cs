using Augur.Inference;
using static Augur.Protocol.Tests.Json.ReaderHarness;

namespace Augur.Protocol.Tests.Json;

/// <summary>Triton's sequence parameters in REST JSON: they fill <see cref="InferenceRequest.Sequence"/> or are refused by name.</summary>
public sealed class SequenceParameterTests
{
    private static string Body(string parameters) =>
        $$"""{"inputs": [{"name": "x", "datatype": "FP32", "shape": [1], "data": [1]}], "parameters": {{parameters}}}""";

    [Theory]
    [InlineData("""{"sequence_id": 42, "sequence_start": true}""", "42", true, false)]
    [InlineData("""{"sequence_id": 18446744073709551615, "sequence_end": true}""", "18446744073709551615", false, true)]
    [InlineData("""{"sequence_id": "sensor-7", "sequence_start": false, "sequence_end": false}""", "sensor-7", false, false)]
    [InlineData("""{"sequence_id": "s", "sequence_start": true, "sequence_end": true}""", "s", true, true)]
    public void A_sequence_id_with_flags_fills_the_request_sequence(string parameters, string id, bool start, bool end)
    {
        var request = ReadOk(Body(parameters)).Request;

        Assert.Equal(new SequenceControl(id, start, end), request.Sequence);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"sequence_id": 0}""")]
    [InlineData("""{"sequence_id": ""}""")]
    [InlineData("""{"sequence_id": 0, "sequence_start": false}""")]
    public void No_id_or_zero_or_empty_means_no_sequence(string parameters) =>
        Assert.Null(ReadOk(Body(parameters)).Request.Sequence);

    [Theory]
    [InlineData("""{"sequence_id": -1}""", "parameter 'sequence_id' of the request must be an unsigned 64-bit integer or a string, not the number -1")]
    [InlineData("""{"sequence_id": 1.5}""", "parameter 'sequence_id' of the request must be an unsigned 64-bit integer or a string, not the number 1.5")]
    [InlineData("""{"sequence_id": 18446744073709551616}""", "parameter 'sequence_id' of the request must be an unsigned 64-bit integer or a string, not the number 18446744073709551616")]
    [InlineData("""{"sequence_id": true}""", "parameter 'sequence_id' of the request must be an unsigned 64-bit integer or a string, not the boolean true")]
    [InlineData("""{"sequence_id": 3, "sequence_start": 1}""", "parameter 'sequence_start' of the request must be a boolean, not the number 1")]
    [InlineData("""{"sequence_id": 3, "sequence_end": "yes"}""", "parameter 'sequence_end' of the request must be a boolean, not the string \"yes\"")]
    [InlineData("""{"sequence_start": true}""", "parameter 'sequence_start' of the request needs a non-zero 'sequence_id'")]
    [InlineData("""{"sequence_id": 0, "sequence_end": true}""", "parameter 'sequence_end' of the request needs a non-zero 'sequence_id'")]
    public void Bad_sequence_parameters_are_refused_naming_the_parameter(string parameters, string message) =>
        Assert.Equal(message, ReadError(Body(parameters)));

    [Fact]
    public void Scheduling_and_sequence_parameters_are_read_together()
    {
        var request = ReadOk(Body("""{"priority": 2, "timeout": 1500, "sequence_id": 9, "other": [1, 2]}""")).Request;

        Assert.Equal(2, request.Priority);
        Assert.Equal(TimeSpan.FromMicroseconds(1500), request.Timeout);
        Assert.Equal(new SequenceControl("9"), request.Sequence);
    }
}
