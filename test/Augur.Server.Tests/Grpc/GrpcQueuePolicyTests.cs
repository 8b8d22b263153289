using Augur.Protocol.Grpc;
using Augur.Server.Tests.Scheduling;
using Augur.Tensors;
using Grpc.Core;
using static Augur.Server.Tests.Grpc.GrpcRequests;

namespace Augur.Server.Tests.Grpc;

/// <summary>The queue policy over gRPC: RESOURCE_EXHAUSTED when full, DEADLINE_EXCEEDED on a queue timeout, in unary and stream calls.</summary>
public sealed class GrpcQueuePolicyTests
{
    private static readonly TimeSpan Timeout = ServerFixture.Timeout;

    private static ModelInferRequest Gated(string id, long? timeoutMicroseconds = null)
    {
        var request = GrpcRequestWriter.Create(GatedServer.Model, null, [InferenceTensor.Create("x", new[] { 1f, 2f, 3f }, 1, 3)], raw: false).WithId(id);
        return timeoutMicroseconds is { } timeout ? request.WithParameter("timeout", new InferParameter { Int64Param = timeout }) : request;
    }

    [Fact]
    public async Task A_full_queue_answers_RESOURCE_EXHAUSTED_and_loses_no_admitted_request()
    {
        await using var server = await GatedServer.StartAsync("""{"max_queue_size": 1}""");
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(server.Channel);
        var first = client.ModelInferAsync(Gated("first"), Bounded).ResponseAsync;
        await server.FirstStarted.Task.WaitAsync(Timeout);
        var queued = client.ModelInferAsync(Gated("q1"), Bounded).ResponseAsync;
        await QueuePolicyHttpTests.WaitForQueueDepthAsync(server, 1);

        var refused = await FailsAsync(() => client.ModelInferAsync(Gated("q2"), Bounded).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Equal("model 'gated' already has 1 requests queued (its max_queue_size); retry later", refused.Status.Detail);
        server.OpenGate();
        Assert.Equal(["first", "q1"], (await Task.WhenAll(first, queued).WaitAsync(Timeout)).Select(r => r.Id));
        Assert.DoesNotContain("q2", server.Batches.SelectMany(b => b));
    }

    [Fact]
    public async Task A_queue_timeout_answers_DEADLINE_EXCEEDED_and_the_request_never_runs()
    {
        await using var server = await GatedServer.StartAsync("{}");
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(server.Channel);
        var first = client.ModelInferAsync(Gated("first"), Bounded).ResponseAsync;
        await server.FirstStarted.Task.WaitAsync(Timeout);

        var expired = await FailsAsync(() => client.ModelInferAsync(Gated("late", 20_000), Bounded).ResponseAsync);

        Assert.Equal(StatusCode.DeadlineExceeded, expired.StatusCode);
        Assert.StartsWith("the request for model 'gated' timed out after waiting ", expired.Status.Detail, StringComparison.Ordinal);
        server.OpenGate();
        Assert.Equal("first", (await first.WaitAsync(Timeout)).Id);
        Assert.DoesNotContain("late", server.Batches.SelectMany(b => b));
    }

    [Fact]
    public async Task In_a_stream_a_queue_timeout_is_an_error_message_and_the_stream_goes_on()
    {
        await using var server = await GatedServer.StartAsync("{}");
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(server.Channel);
        using var call = client.ModelStreamInfer(Bounded);
        await call.RequestStream.WriteAsync(Gated("first"));
        await server.FirstStarted.Task.WaitAsync(Timeout);
        await call.RequestStream.WriteAsync(Gated("late", 20_000));

        Assert.True(await call.ResponseStream.MoveNext().WaitAsync(Timeout));
        Assert.Equal("late", call.ResponseStream.Current.InferResponse.Id);
        Assert.StartsWith("the request for model 'gated' timed out after waiting ", call.ResponseStream.Current.ErrorMessage, StringComparison.Ordinal);

        server.OpenGate();
        await call.RequestStream.WriteAsync(Gated("after"));
        await call.RequestStream.CompleteAsync();
        var rest = new List<string>();
        while (await call.ResponseStream.MoveNext().WaitAsync(Timeout))
        {
            Assert.Empty(call.ResponseStream.Current.ErrorMessage);
            rest.Add(call.ResponseStream.Current.InferResponse.Id);
        }

        Assert.Equal(["after", "first"], rest.Order(StringComparer.Ordinal));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task A_stream_the_client_cancels_takes_its_queued_requests_out_of_the_queue()
    {
        await using var server = await GatedServer.StartAsync("{}");
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(server.Channel);
        var first = client.ModelInferAsync(Gated("first"), Bounded).ResponseAsync;
        await server.FirstStarted.Task.WaitAsync(Timeout);
        using var cancel = new CancellationTokenSource();
        var call = client.ModelStreamInfer(cancellationToken: cancel.Token);
        await call.RequestStream.WriteAsync(Gated("gone-1"));
        await call.RequestStream.WriteAsync(Gated("gone-2"));
        await QueuePolicyHttpTests.WaitForQueueDepthAsync(server, 2);

        await cancel.CancelAsync();
        call.Dispose();
        await QueuePolicyHttpTests.WaitForQueueDepthAsync(server, 0);

        server.OpenGate();
        Assert.Equal("first", (await first.WaitAsync(Timeout)).Id);
        Assert.Equal("after", (await client.ModelInferAsync(Gated("after"), Bounded).ResponseAsync.WaitAsync(Timeout)).Id);
        Assert.DoesNotContain("gone-1", server.Batches.SelectMany(b => b));
        Assert.DoesNotContain("gone-2", server.Batches.SelectMany(b => b));
    }

    [Fact]
    public async Task Requests_of_one_stream_run_concurrently_and_batch_together()
    {
        await using var server = await GatedServer.StartAsync("{}");
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(server.Channel);
        using var call = client.ModelStreamInfer(Bounded);
        await call.RequestStream.WriteAsync(Gated("first"));
        await server.FirstStarted.Task.WaitAsync(Timeout);
        foreach (var id in new[] { "q1", "q2", "q3" })
        {
            await call.RequestStream.WriteAsync(Gated(id));
        }

        // All three are read and queued while the first still runs: the stream does not wait for one answer to read the next.
        await QueuePolicyHttpTests.WaitForQueueDepthAsync(server, 3);
        server.OpenGate();
        await call.RequestStream.CompleteAsync();
        var answered = new List<string>();
        while (await call.ResponseStream.MoveNext().WaitAsync(Timeout))
        {
            answered.Add(call.ResponseStream.Current.InferResponse.Id);
        }

        Assert.Equal(["first", "q1", "q2", "q3"], answered.Order(StringComparer.Ordinal));
        // Read concurrently, the three may join their batch in any order: which batches they form is the claim.
        Assert.Equal([["first"], ["q1", "q2", "q3"]], server.Batches.Select(batch => batch.Order(StringComparer.Ordinal).ToArray()));
    }
}
