using System.Text.Json.Nodes;
using Augur.OnnxRuntime.Samples;
using Augur.Protocol.Grpc;
using Augur.Tensors;
using Augur.Testing;
using Grpc.Core;
using static Augur.Server.Tests.Grpc.GrpcRequests;

namespace Augur.Server.Tests.Grpc;

/// <summary>
/// Stateful sequences through the front doors, against ONNX Runtime and the pump_monitor sample: steps of several
/// sequences interleaved on one ModelStreamInfer stream and across streams each get the score of their own history
/// (hand-computed by <see cref="PumpReadings"/>), steps sent back to back keep their order, and the sequence errors
/// get their codes over gRPC (in the stream and unary) and REST.
/// </summary>
public sealed class GrpcSequenceStreamTests(SequenceServerFixture server) : IClassFixture<SequenceServerFixture>
{
    private const string Pump = SampleModels.PumpMonitor;
    private const string Strict = SequenceServerFixture.Strict;
    private const int Readings = 30;

    private readonly GRPCInferenceService.GRPCInferenceServiceClient _client = new(server.Channel);
    private readonly string _tag = Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Steps_of_six_pumps_interleaved_on_one_stream_each_get_the_score_of_their_own_history()
    {
        const int pumps = 6;
        var series = Enumerable.Range(0, pumps).Select(p => PumpReadings.Series(p, Readings)).ToArray();
        var steps = new List<ModelInferRequest>();
        for (var step = 0; step < Readings; step++)
        {
            for (var pump = 0; pump < pumps; pump++)
            {
                steps.Add(Step(Pump, $"{_tag}-{pump}", series[pump][step], $"{pump}/{step}", start: step == 0, end: step == Readings - 1));
            }
        }

        // All sent back to back, without waiting for answers: the stream's requests are in flight together.
        var answers = await StreamAsync(steps);

        AssertScores(answers, Enumerable.Range(0, pumps).ToDictionary(p => p, p => (First: 0, Scores: PumpReadings.ExpectedScores(series[p]))));
        Assert.True(answers[$"{pumps - 1}/{Readings - 1}"] > 0.9f && answers[$"0/{Readings - 1}"] < 0.1f, "the drifting pump ends far above a steady one");
    }

    [Fact]
    public async Task Sequences_on_two_streams_at_once_and_sequences_that_move_to_the_other_stream_keep_their_state()
    {
        const int pumps = 6;
        const int half = Readings / 2;
        var series = Enumerable.Range(0, pumps).Select(p => PumpReadings.Series(p, Readings)).ToArray();
        List<ModelInferRequest> Steps(IEnumerable<int> pumpsOnStream, int from, int to)
        {
            var steps = new List<ModelInferRequest>();
            for (var step = from; step < to; step++)
            {
                steps.AddRange(pumpsOnStream.Select(pump => Step(Pump, $"{_tag}-{pump}", series[pump][step], $"{pump}/{step}", start: step == 0, end: step == Readings - 1)));
            }

            return steps;
        }

        // First half: pumps 0-2 on one stream, 3-5 on another, both streams at once. Second half: they swap streams.
        int[] left = [0, 1, 2];
        int[] right = [3, 4, 5];
        var first = await Task.WhenAll(StreamAsync(Steps(left, 0, half)), StreamAsync(Steps(right, 0, half)));
        var second = await Task.WhenAll(StreamAsync(Steps(right, half, Readings)), StreamAsync(Steps(left, half, Readings)));

        var answers = first.Concat(second).SelectMany(a => a).ToDictionary(a => a.Key, a => a.Value);
        AssertScores(answers, Enumerable.Range(0, pumps).ToDictionary(p => p, p => (First: 0, Scores: PumpReadings.ExpectedScores(series[p]))));
    }

    [Fact]
    public async Task A_long_sequence_sent_back_to_back_on_one_stream_is_stepped_in_the_order_sent()
    {
        // Each step runs on its own thread in the server; were two steps to reach the engine out of order, the window
        // and the carried energy of every later step would differ from the hand computation.
        const int length = 300;
        var readings = PumpReadings.Series(1, length);
        var steps = Enumerable.Range(0, length)
            .Select(step => Step(Strict, $"{_tag}-long", readings[step], $"1/{step}", start: step == 0, end: step == length - 1))
            .ToList();

        var answers = await StreamAsync(steps);

        AssertScores(answers, new Dictionary<int, (int, float[])> { [1] = (0, PumpReadings.ExpectedScores(readings)) });
    }

    [Fact]
    public async Task Sequence_errors_travel_in_the_stream_as_error_messages_and_the_stream_goes_on()
    {
        var reading = PumpReadings.Series(0, 2);
        using var call = _client.ModelStreamInfer(Bounded);
        async Task<ModelStreamInferResponse> SendAsync(ModelInferRequest request)
        {
            await call.RequestStream.WriteAsync(request);
            Assert.True(await call.ResponseStream.MoveNext().WaitAsync(ServerFixture.Timeout));
            return call.ResponseStream.Current;
        }

        var unknown = await SendAsync(Step(Strict, $"{_tag}-never-started", reading[0], "unknown"));
        var stateless = await SendAsync(Fp32("stateless", 1f).WithParameter("sequence_id", new InferParameter { StringParam = $"{_tag}-s" }));
        var a = await SendAsync(Step(Strict, $"{_tag}-a", reading[0], "a", start: true));
        var b = await SendAsync(Step(Strict, $"{_tag}-b", reading[0], "b", start: true));
        var tooMany = await SendAsync(Step(Strict, $"{_tag}-c", reading[0], "c", start: true));
        var aAgain = await SendAsync(Step(Strict, $"{_tag}-a", reading[1], "a-end", end: true));
        var bEnd = await SendAsync(Step(Strict, $"{_tag}-b", reading[1], "b-end", end: true));
        var cNow = await SendAsync(Step(Strict, $"{_tag}-c", reading[0], "c-now", start: true, end: true));
        await call.RequestStream.CompleteAsync();

        Assert.Equal("unknown", unknown.InferResponse.Id);
        Assert.Equal($"sequence '{_tag}-never-started' of model '{Strict}' is unknown or expired (idle for more than 60 s); its first step must carry sequence_start", unknown.ErrorMessage);
        Assert.Equal("stateless", stateless.InferResponse.Id);
        Assert.StartsWith("model 'identity_fp32' does not keep sequences", stateless.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(("a", ""), (a.InferResponse.Id, a.ErrorMessage));
        Assert.Equal(("b", ""), (b.InferResponse.Id, b.ErrorMessage));
        Assert.Equal("c", tooMany.InferResponse.Id);
        Assert.StartsWith($"model '{Strict}' already has {SequenceServerFixture.StrictLimit} live sequences", tooMany.ErrorMessage, StringComparison.Ordinal);

        // The stream goes on, and the errors left the live sequences' state alone.
        var expected = PumpReadings.ExpectedScores(reading);
        Assert.Equal(expected[0], ScoreOf(a), 1e-5f);
        Assert.Equal(expected[1], ScoreOf(aAgain), 1e-5f);
        Assert.Equal(expected[1], ScoreOf(bEnd), 1e-5f);
        Assert.Equal(expected[0], ScoreOf(cNow), 1e-5f); // Room again once a and b ended.
        Assert.False(await call.ResponseStream.MoveNext().WaitAsync(ServerFixture.Timeout));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Unary_ModelInfer_gives_the_sequence_errors_their_status_codes()
    {
        var reading = PumpReadings.Series(0, 1)[0];
        var unknown = await FailsAsync(() => _client.ModelInferAsync(Step(Strict, $"{_tag}-never-started", reading, "u"), Bounded).ResponseAsync);
        var stateless = await FailsAsync(() => _client.ModelInferAsync(Fp32("s", 1f).WithParameter("sequence_id", new InferParameter { Uint64Param = 7 }), Bounded).ResponseAsync);
        await _client.ModelInferAsync(Step(Strict, $"{_tag}-a", reading, "a", start: true), Bounded);
        await _client.ModelInferAsync(Step(Strict, $"{_tag}-b", reading, "b", start: true), Bounded);
        var tooMany = await FailsAsync(() => _client.ModelInferAsync(Step(Strict, $"{_tag}-c", reading, "c", start: true), Bounded).ResponseAsync);
        await _client.ModelInferAsync(Step(Strict, $"{_tag}-a", reading, "a", end: true), Bounded);
        await _client.ModelInferAsync(Step(Strict, $"{_tag}-b", reading, "b", end: true), Bounded);

        Assert.Equal(StatusCode.InvalidArgument, unknown.StatusCode);
        Assert.Contains("is unknown or expired", unknown.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.InvalidArgument, stateless.StatusCode);
        Assert.Contains("does not keep sequences", stateless.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.ResourceExhausted, tooMany.StatusCode);
        Assert.Contains("live sequences", tooMany.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rest_keeps_sequence_state_and_gives_the_sequence_errors_400_and_503()
    {
        var readings = PumpReadings.Series(2, 5);
        var expected = PumpReadings.ExpectedScores(readings);
        var path = $"/v2/models/{Strict}/infer";
        for (var step = 0; step < readings.Length; step++)
        {
            var reply = await server.PostAsync(path, RestStep($"{_tag}-rest", readings[step], start: step == 0));
            Expect.Ok(reply);
            Assert.Equal(expected[step], Bodies.ReadFloats(reply.Output("anomaly_score")["data"]!)[0], 1e-5f);
        }

        var unknown = await server.PostAsync(path, RestStep($"{_tag}-never-started", readings[0]));
        var statelessBody = Bodies.Request(Bodies.Input("input", "FP32", [1, 1], Bodies.Floats(1f)));
        statelessBody["parameters"] = new JsonObject { ["sequence_id"] = $"{_tag}-s" };
        var stateless = await server.PostAsync("/v2/models/identity_fp32/infer", statelessBody);
        Expect.Ok(await server.PostAsync(path, RestStep($"{_tag}-other", readings[0], start: true)));
        var tooMany = await server.PostAsync(path, RestStep($"{_tag}-third", readings[0], start: true));
        Expect.Ok(await server.PostAsync(path, RestStep($"{_tag}-rest", readings[0], end: true)));
        Expect.Ok(await server.PostAsync(path, RestStep($"{_tag}-other", readings[0], end: true)));

        Expect.Error(unknown, 400, $"sequence '{_tag}-never-started' of model '{Strict}' is unknown or expired", "sequence_start");
        Expect.Error(stateless, 400, "model 'identity_fp32' does not keep sequences");
        Expect.Error(tooMany, 503, $"model '{Strict}' already has {SequenceServerFixture.StrictLimit} live sequences");
    }

    private static ModelInferRequest Step(string model, string sequence, float[] reading, string id, bool start = false, bool end = false)
    {
        var request = GrpcRequestWriter.Create(model, null, [InferenceTensor.Create("reading", reading, 1, 3)], raw: false)
            .WithId(id)
            .WithParameter("sequence_id", new InferParameter { StringParam = sequence });
        if (start)
        {
            request.WithParameter("sequence_start", new InferParameter { BoolParam = true });
        }

        if (end)
        {
            request.WithParameter("sequence_end", new InferParameter { BoolParam = true });
        }

        return request;
    }

    private static JsonObject RestStep(string sequence, float[] reading, bool start = false, bool end = false)
    {
        var body = Bodies.Request(Bodies.Input("reading", "FP32", [1, 3], Bodies.Floats(reading)));
        var parameters = new JsonObject { ["sequence_id"] = sequence };
        if (start)
        {
            parameters["sequence_start"] = true;
        }

        if (end)
        {
            parameters["sequence_end"] = true;
        }

        body["parameters"] = parameters;
        return body;
    }

    private static float ScoreOf(ModelStreamInferResponse answer)
    {
        Assert.True(answer.ErrorMessage.Length == 0, $"request '{answer.InferResponse.Id}' failed: {answer.ErrorMessage}");
        return Assert.Single(GrpcResponseReader.ReadOutputs(answer.InferResponse)).ToArray<float>()[0];
    }

    /// <summary>Sends <paramref name="steps"/> back to back on one new stream; the score answered to each request id.</summary>
    private async Task<Dictionary<string, float>> StreamAsync(IReadOnlyList<ModelInferRequest> steps)
    {
        using var call = _client.ModelStreamInfer(Bounded);
        var reading = Task.Run(async () =>
        {
            var answers = new Dictionary<string, float>();
            while (await call.ResponseStream.MoveNext())
            {
                var answer = call.ResponseStream.Current;
                answers.Add(answer.InferResponse.Id, ScoreOf(answer));
            }

            return answers;
        });

        foreach (var step in steps)
        {
            await call.RequestStream.WriteAsync(step);
        }

        await call.RequestStream.CompleteAsync();
        var all = await reading.WaitAsync(ServerFixture.Timeout);
        Assert.Equal(steps.Count, all.Count);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        return all;
    }

    /// <summary>Every answer "pump/step" has pump's expected score at that step.</summary>
    private static void AssertScores(Dictionary<string, float> answers, Dictionary<int, (int First, float[] Scores)> expected)
    {
        foreach (var (id, score) in answers)
        {
            var parts = id.Split('/');
            var (pump, step) = (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
            var want = expected[pump].Scores[step - expected[pump].First];
            Assert.True(Math.Abs(want - score) <= 1e-5f, $"pump {pump} step {step}: expected {want}, got {score}");
        }
    }
}
