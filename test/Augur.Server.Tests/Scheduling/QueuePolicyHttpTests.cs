using System.Net;
using System.Text.Json.Nodes;

namespace Augur.Server.Tests.Scheduling;

/// <summary>What the queue policy looks like over HTTP: 503 with Retry-After when full, 504 on timeout, 400 for bad parameters.</summary>
public sealed class QueuePolicyHttpTests
{
    private static readonly TimeSpan Timeout = ServerFixture.Timeout;

    [Fact]
    public async Task A_full_queue_answers_503_with_Retry_After_and_loses_no_admitted_request()
    {
        await using var server = await GatedServer.StartAsync("""{"max_queue_size": 2}""");
        var first = server.PostAsync(GatedServer.Body("first"));
        await server.FirstStarted.Task.WaitAsync(Timeout);

        var queued = new[] { server.PostAsync(GatedServer.Body("q1")), server.PostAsync(GatedServer.Body("q2")) };
        await WaitForQueueDepthAsync(server, 2);
        using var rejected = await server.PostAsync(GatedServer.Body("q3")).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, rejected.StatusCode);
        Assert.Equal("1", rejected.Headers.GetValues("Retry-After").Single());
        Assert.Equal("model 'gated' already has 2 requests queued (its max_queue_size); retry later", await ErrorAsync(rejected));

        server.OpenGate();
        foreach (var response in await Task.WhenAll(queued.Prepend(first)).WaitAsync(Timeout))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(["first", "q1", "q2"], server.Batches.SelectMany(b => b).Order(StringComparer.Ordinal).ToArray());
        Assert.DoesNotContain("q3", server.Batches.SelectMany(b => b));
    }

    [Fact]
    public async Task A_request_timeout_that_expires_in_the_queue_answers_504_and_the_request_never_runs()
    {
        await using var server = await GatedServer.StartAsync("{}");
        var first = server.PostAsync(GatedServer.Body("first"));
        await server.FirstStarted.Task.WaitAsync(Timeout);

        using var expired = await server.PostAsync(GatedServer.Body("late", """{"timeout": 20000}""")).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.GatewayTimeout, expired.StatusCode);
        Assert.StartsWith("the request for model 'gated' timed out after waiting ", await ErrorAsync(expired));
        server.OpenGate();
        Assert.Equal(HttpStatusCode.OK, (await first.WaitAsync(Timeout)).StatusCode);
        using var after = await server.PostAsync(GatedServer.Body("after")).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.DoesNotContain("late", server.Batches.SelectMany(b => b));
    }

    [Fact]
    public async Task The_model_default_timeout_applies_when_the_request_sets_none()
    {
        await using var server = await GatedServer.StartAsync("""{"default_timeout_microseconds": 20000}""");
        var first = server.PostAsync(GatedServer.Body("first", """{"timeout": 60000000}"""));
        await server.FirstStarted.Task.WaitAsync(Timeout);

        using var expired = await server.PostAsync(GatedServer.Body("late")).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.GatewayTimeout, expired.StatusCode);
        server.OpenGate();
        Assert.Equal(HttpStatusCode.OK, (await first.WaitAsync(Timeout)).StatusCode);
    }

    [Theory]
    [InlineData("""{"priority": 3}""", "priority 3 is outside 1..2, the priority levels of model 'gated' (0 takes its default, 2)")]
    [InlineData("""{"priority": -1}""", "parameter 'priority' of the request must be a non-negative integer, not the number -1")]
    [InlineData("""{"priority": "high"}""", "parameter 'priority' of the request must be a non-negative integer, not the string \"high\"")]
    [InlineData("""{"timeout": 1.5}""", "parameter 'timeout' of the request must be a non-negative integer, not the number 1.5")]
    [InlineData("""{"timeout": 999999999999999999}""", "parameter 'timeout' of the request is 999999999999999999 µs, too large to be a timeout")]
    public async Task Bad_scheduling_parameters_answer_400_naming_the_parameter(string parameters, string message)
    {
        await using var server = await GatedServer.StartAsync("""{"priority_levels": 2}""");

        using var response = await server.PostAsync(GatedServer.Body("bad", parameters)).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(message, await ErrorAsync(response));
        Assert.Empty(server.Batches);
    }

    [Theory]
    [InlineData(10_000_000_000_000)] // 115 days: longer than any timer waits, the same as no timeout
    [InlineData(60_000_000)]
    public async Task A_long_timeout_is_accepted_and_the_request_runs(long microseconds)
    {
        await using var server = await GatedServer.StartAsync("{}");
        server.OpenGate();

        using var response = await server.PostAsync(GatedServer.Body("long", $$"""{"timeout": {{microseconds}}}""")).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([["long"]], server.Batches);
    }

    [Fact]
    public async Task A_client_that_disconnects_while_queued_leaves_the_queue_and_never_runs()
    {
        await using var server = await GatedServer.StartAsync("{}");
        var first = server.PostAsync(GatedServer.Body("first"));
        await server.FirstStarted.Task.WaitAsync(Timeout);
        using var disconnect = new CancellationTokenSource();
        var abandoned = server.PostAsync(GatedServer.Body("gone"), disconnect.Token);
        await WaitForQueueDepthAsync(server, 1);

        await disconnect.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned.WaitAsync(Timeout));
        await WaitForQueueDepthAsync(server, 0);

        server.OpenGate();
        Assert.Equal(HttpStatusCode.OK, (await first.WaitAsync(Timeout)).StatusCode);
        Assert.DoesNotContain("gone", server.Batches.SelectMany(b => b));
    }

    private static async Task<string> ErrorAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!.GetValue<string>();

    /// <summary>Polls the queue depth gauge on /metrics until it reads <paramref name="depth"/> (bounded).</summary>
    internal static async Task WaitForQueueDepthAsync(GatedServer server, int depth)
    {
        var expected = $"model=\"{GatedServer.Model}\",version=\"1\"}} {depth}";
        using var deadline = new CancellationTokenSource(Timeout);
        while (true)
        {
            var metrics = await server.MetricsAsync().WaitAsync(deadline.Token);
            if (metrics.Split('\n').Any(line => line.StartsWith("augur_queue_depth{", StringComparison.Ordinal) && line.EndsWith(expected, StringComparison.Ordinal)))
            {
                return;
            }

            await Task.Yield();
        }
    }
}
