using Augur.Testing.Fakes;

namespace Augur.Server.Tests.Lifecycle;

/// <summary>Readiness follows required models and shutdown; a drain lets requests in flight finish.</summary>
public sealed class ReadinessAndShutdownTests
{
    [Fact]
    public async Task A_required_model_that_fails_makes_readiness_503_with_its_reason_while_the_others_serve()
    {
        await using var server = await LifecycleServer.StartAsync(
            s =>
            {
                s.AddEcho("m");
                s.Repository.AddModel("critical");
                s.Backend.Register("critical", FakeModelSpec.Identity("x", "y", Tensors.DataType.Fp32, -1, 3) with { LoadError = "weights are corrupt" });
            },
            engine: b => b.RequireModels("critical"));

        var ready = await server.SendAsync(HttpMethod.Get, "/v2/health/ready");
        Assert.Equal(503, ready.Status);
        Assert.Contains("required model 'critical' is not ready: version 1: weights are corrupt", ready.Body, StringComparison.Ordinal);
        Assert.Equal(200, (await server.SendAsync(HttpMethod.Get, "/v2/health/live")).Status);
        Assert.Equal(200, (await server.SendAsync(HttpMethod.Post, "/v2/models/m/infer")).Status);
    }

    [Fact]
    public async Task A_model_marked_required_in_config_json_gates_readiness()
    {
        await using var server = await LifecycleServer.StartAsync(s =>
        {
            s.Repository.WriteConfig("critical", """{"required": true}""");
            s.Repository.AddVersionFolder("critical", "1", withModelFile: false);
        });

        var ready = await server.SendAsync(HttpMethod.Get, "/v2/health/ready");

        Assert.Equal(503, ready.Status);
        Assert.Contains("required model 'critical'", ready.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_shutdown_readiness_turns_503_first_and_a_request_in_flight_still_completes()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = await LifecycleServer.StartAsync(s =>
        {
            s.Repository.AddModel("slow").WriteConfig("slow", """{"warmup": {"iterations": 0}}""");
            var signature = FakeModelSpec.Identity("x", "y", Tensors.DataType.Fp32, -1, 3).Signature;
            s.Backend.Register("slow", FakeModelSpec.Custom(signature, async call =>
            {
                started.TrySetResult();
                await gate.Task.WaitAsync(ServerFixture.Timeout);
                return FakeModelSpec.Echo(call.Batch, signature);
            }));
        });
        await using (server)
        {
            var inFlight = server.SendAsync(HttpMethod.Post, "/v2/models/slow/infer");
            await started.Task.WaitAsync(ServerFixture.Timeout);

            Assert.Equal(200, (await server.SendAsync(HttpMethod.Get, "/v2/health/ready")).Status);
            server.Lifecycle.BeginDrain();
            var ready = await server.SendAsync(HttpMethod.Get, "/v2/health/ready");
            Assert.Equal(503, ready.Status);
            Assert.Contains("shutting down", ready.Body, StringComparison.Ordinal);

            var stopping = server.App.StopAsync();
            Assert.False(stopping.IsCompleted, "the host stopped with a request in flight");
            gate.SetResult();

            var reply = await inFlight.WaitAsync(ServerFixture.Timeout);
            Assert.Equal(200, reply.Status);
            await stopping.WaitAsync(ServerFixture.Timeout);
        }
    }

    [Fact]
    public async Task Stopping_the_host_turns_readiness_off_while_the_server_still_serves_its_shutdown_delay()
    {
        // The delay runs on the engine's fake clock, so the server stays in it until the test advances the clock; the
        // drain timeout (real time) is an hour, so it cannot end the delay either.
        var delay = TimeSpan.FromSeconds(20);
        var clock = new TimerWatchingClock(delay);
        var server = await LifecycleServer.StartAsync(
            s => s.AddEcho("m"),
            configure: o => (o.DrainTimeout, o.ShutdownDelay) = (TimeSpan.FromHours(1), delay),
            engine: b => b.UseTimeProvider(clock));
        await using (server)
        {
            Assert.Equal(200, (await server.SendAsync(HttpMethod.Get, "/v2/health/ready")).Status);

            var stopping = server.App.StopAsync();
            try
            {
                await clock.TimerCreated.WaitAsync(ServerFixture.Timeout);

                var ready = await server.SendAsync(HttpMethod.Get, "/v2/health/ready");
                Assert.Equal(503, ready.Status);
                Assert.Contains("shutting down", ready.Body, StringComparison.Ordinal);
                Assert.Equal(200, (await server.SendAsync(HttpMethod.Post, "/v2/models/m/infer")).Status);
                Assert.False(stopping.IsCompleted, "the host stopped before its shutdown delay was over");
            }
            finally
            {
                // Also when an assertion failed, so that the host can stop.
                clock.Advance(delay);
            }

            await stopping.WaitAsync(ServerFixture.Timeout);
            Assert.True(server.Lifecycle.IsDraining);
        }
    }

    [Fact]
    public async Task A_host_stopped_twice_waits_out_its_shutdown_delay_once()
    {
        var delay = TimeSpan.FromSeconds(20);
        var clock = new TimerWatchingClock(delay);
        await using var server = await LifecycleServer.StartAsync(
            s => s.AddEcho("m"),
            configure: o => (o.DrainTimeout, o.ShutdownDelay) = (TimeSpan.FromHours(1), delay),
            engine: b => b.UseTimeProvider(clock));
        var first = server.App.StopAsync();
        await clock.TimerCreated.WaitAsync(ServerFixture.Timeout);
        clock.Advance(delay);
        await first.WaitAsync(ServerFixture.Timeout);

        // The clock stays where it is: a second stop that waited for the delay again would never end.
        await server.App.StopAsync().WaitAsync(ServerFixture.Timeout);
    }
}
