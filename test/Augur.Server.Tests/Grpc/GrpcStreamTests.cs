using Augur.Protocol.Grpc;
using Augur.Tensors;
using Grpc.Core;
using static Augur.Server.Tests.Grpc.GrpcRequests;

namespace Augur.Server.Tests.Grpc;

/// <summary>ModelStreamInfer: errors travel in the stream without ending it; every request is answered once, with its id.</summary>
[Collection(ServerCollection.Name)]
public sealed class GrpcStreamTests(ServerFixture server)
{
    private readonly GRPCInferenceService.GRPCInferenceServiceClient _client = new(server.Channel);

    [Fact]
    public async Task A_bad_request_gets_an_error_message_and_later_requests_still_succeed()
    {
        using var call = _client.ModelStreamInfer(Bounded);

        await call.RequestStream.WriteAsync(Fp32("good-1", 1f, 2f));
        var first = await NextAsync(call);
        await call.RequestStream.WriteAsync(Fp32("bad", 1f).WithModel("nope"));
        var bad = await NextAsync(call);
        await call.RequestStream.WriteAsync(Typed("identity_fp32", "input", "FP32", [2, 2], c => c.Fp32Contents.Add(1f)).WithId("bad-shape"));
        var badShape = await NextAsync(call);
        await call.RequestStream.WriteAsync(Fp32("good-2", 3f));
        var second = await NextAsync(call);
        await call.RequestStream.CompleteAsync();

        Assert.Equal(("good-1", ""), (first.InferResponse.Id, first.ErrorMessage));
        Assert.Equal([1f, 2f], first.InferResponse.Outputs[0].Contents.Fp32Contents);
        Assert.Equal(("bad", "unknown model 'nope'"), (bad.InferResponse.Id, bad.ErrorMessage));
        Assert.Equal(("bad-shape", "input 'input': the shape needs 4 elements but fp32_contents has 1"), (badShape.InferResponse.Id, badShape.ErrorMessage));
        Assert.Equal(("good-2", ""), (second.InferResponse.Id, second.ErrorMessage));
        Assert.False(await call.ResponseStream.MoveNext().WaitAsync(ServerFixture.Timeout));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Many_interleaved_requests_on_one_stream_are_each_answered_once_with_their_own_outputs()
    {
        const int count = 300;
        using var call = _client.ModelStreamInfer(Bounded);
        var reading = Task.Run(async () =>
        {
            var answers = new List<ModelStreamInferResponse>();
            while (await call.ResponseStream.MoveNext())
            {
                answers.Add(call.ResponseStream.Current);
            }

            return answers;
        });

        for (var i = 0; i < count; i++)
        {
            // Three models and both encodings interleaved, so batches form across requests of different kinds.
            var request = (i % 3) switch
            {
                0 => Fp32($"r{i}", i, -i),
                1 => GrpcRequestWriter.Create("identity_fp32", null, [InferenceTensor.Create("input", new[] { (float)i, -i }, 1, 2)], raw: true).WithId($"r{i}"),
                _ => GrpcRequestWriter.Create("identity_uint64", null, [InferenceTensor.Create("input", new[] { (ulong)i, 1UL, 2UL, 3UL }, 1, 4)], raw: false).WithId($"r{i}"),
            };
            await call.RequestStream.WriteAsync(request);
        }

        await call.RequestStream.CompleteAsync();
        var answers = await reading.WaitAsync(ServerFixture.Timeout);

        Assert.Equal(count, answers.Count);
        Assert.All(answers, a => Assert.Empty(a.ErrorMessage));
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"r{i}").Order(StringComparer.Ordinal), answers.Select(a => a.InferResponse.Id).Order(StringComparer.Ordinal));
        foreach (var answer in answers)
        {
            var i = int.Parse(answer.InferResponse.Id.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
            var output = Assert.Single(GrpcResponseReader.ReadOutputs(answer.InferResponse));
            if (i % 3 == 2)
            {
                Assert.Equal([(ulong)i, 1UL, 2UL, 3UL], output.ToArray<ulong>());
            }
            else
            {
                Assert.Equal([(float)i, -i], output.ToArray<float>());
                Assert.Equal(i % 3 == 1, answer.InferResponse.RawOutputContents.Count == 1);
            }
        }
    }

    [Fact]
    public async Task Sequence_parameters_are_read_in_a_stream_and_refused_by_a_stateless_model()
    {
        using var call = _client.ModelStreamInfer(Bounded);
        var request = Fp32("seq", 1f)
            .WithParameter("sequence_id", new InferParameter { StringParam = "sensor-7" })
            .WithParameter("sequence_start", new InferParameter { BoolParam = true });

        await call.RequestStream.WriteAsync(request);
        var answer = await NextAsync(call);
        await call.RequestStream.CompleteAsync();

        // Read, not ignored: a stateless model refuses them (GrpcSequenceStreamTests covers a stateful model).
        Assert.Equal("seq", answer.InferResponse.Id);
        Assert.StartsWith("model 'identity_fp32' does not keep sequences", answer.ErrorMessage, StringComparison.Ordinal);
    }

    private static async Task<ModelStreamInferResponse> NextAsync(AsyncDuplexStreamingCall<ModelInferRequest, ModelStreamInferResponse> call)
    {
        Assert.True(await call.ResponseStream.MoveNext().WaitAsync(ServerFixture.Timeout));
        return call.ResponseStream.Current;
    }
}
