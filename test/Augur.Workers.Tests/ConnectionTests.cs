using Augur.Backends;
using Augur.Errors;
using Augur.Inference;
using Augur.Models;
using Augur.Tensors;
using Augur.Testing.Fakes;
using Augur.Workers.Client;
using Augur.Workers.Hosting;

namespace Augur.Workers.Tests;

/// <summary>
/// A worker that cannot answer: gone, closed by its owner, cut off mid-call. Every such failure is Unavailable (HTTP 503)
/// naming the worker; a caller's cancellation ends the call at once and reaches the model.
/// </summary>
public sealed class ConnectionTests
{
    [Theory]
    [MemberData(nameof(DataTypeRoundTripTests.BothTransports), MemberType = typeof(DataTypeRoundTripTests))]
    public async Task A_worker_that_went_away_fails_the_batch_as_unavailable_naming_it(Transport transport)
    {
        var backend = new FakeBackend().Register("echo", FakeModelSpec.Identity("input", "output", DataType.Fp32, -1, 3));
        await using var worker = await RunningWorker.StartFakeAsync(backend, "echo", transport: transport);
        Assert.Null((await worker.Client.ExecuteAsync([Request()]).AsTask().WaitAsync(RunningWorker.Timeout)).Error);

        await worker.Host.DisposeAsync();
        var result = await worker.Client.ExecuteAsync([Request()]).AsTask().WaitAsync(RunningWorker.Timeout);

        Assert.Equal(ErrorCode.Unavailable, result.Error?.Code);
        Assert.Equal(503, result.Error!.Code.ToHttpStatus());
        Assert.StartsWith($"the worker of model 'echo' version 1 at unix:{worker.Folder.SocketPath} is unavailable: ", result.Error.Message);
        Assert.False(File.Exists(worker.Folder.SocketPath));
        Assert.False(File.Exists(worker.Folder.BatchSocketPath));
    }

    [Fact]
    public async Task A_worker_that_never_listened_is_unavailable_to_describe_execute_and_health()
    {
        using var folder = new TempFolder();
        using var client = WorkerClient.Create(WorkerEndpoint.UnixSocket(folder.SocketPath));

        var describe = await Assert.ThrowsAsync<InferenceException>(() => client.DescribeAsync()).WaitAsync(RunningWorker.Timeout);
        var execute = await client.ExecuteAsync([Request()]).AsTask().WaitAsync(RunningWorker.Timeout);
        var health = await client.CheckHealthAsync().WaitAsync(RunningWorker.Timeout);

        var prefix = $"the worker at unix:{folder.SocketPath} is unavailable: ";
        Assert.Equal(ErrorCode.Unavailable, describe.Code);
        Assert.StartsWith(prefix, describe.Message);
        Assert.Equal(ErrorCode.Unavailable, execute.Error?.Code);
        Assert.StartsWith(prefix, execute.Error!.Message);
        Assert.False(health.IsReady);
        Assert.StartsWith(prefix, health.Reason);
    }

    [Theory]
    [MemberData(nameof(DataTypeRoundTripTests.BothTransports), MemberType = typeof(DataTypeRoundTripTests))]
    public async Task Closing_the_client_ends_a_call_in_flight_at_once_with_the_reason_and_every_later_call(Transport transport)
    {
        var held = new HeldModel();
        await using var worker = await RunningWorker.StartFakeAsync(held.Backend("held"), "held", transport: transport);
        await worker.Client.DescribeAsync().WaitAsync(RunningWorker.Timeout);
        var inFlight = worker.Client.ExecuteAsync([Request()]).AsTask();
        await held.Started.Task.WaitAsync(RunningWorker.Timeout);

        worker.Client.Close("the worker process exited with code 137");
        var result = await inFlight.WaitAsync(RunningWorker.Timeout);
        var later = await worker.Client.ExecuteAsync([Request()]).AsTask().WaitAsync(RunningWorker.Timeout);
        var health = await worker.Client.CheckHealthAsync().WaitAsync(RunningWorker.Timeout);

        var expected = InferenceError.Unavailable($"the worker of model 'held' version 1 at {worker.Host.Endpoint} is unavailable: the worker process exited with code 137");
        Assert.Equal(expected, result.Error);
        Assert.Equal(expected, later.Error);
        Assert.Equal(new WorkerHealth(false, expected.Message), health);
        Assert.True(worker.Client.IsClosed);
        // The worker was told: the call's cancellation reached the model.
        await held.Cancelled.Task.WaitAsync(RunningWorker.Timeout);
    }

    [Fact]
    public async Task A_disposed_client_fails_every_later_call_as_unavailable()
    {
        var backend = new FakeBackend().Register("echo", FakeModelSpec.Identity("input", "output", DataType.Fp32, -1, 3));
        await using var worker = await RunningWorker.StartFakeAsync(backend, "echo");
        var client = WorkerClient.Create(worker.Host.Endpoint);
        await client.DescribeAsync().WaitAsync(RunningWorker.Timeout);

        client.Dispose();
        var result = await client.ExecuteAsync([Request()], new CancellationTokenSource().Token).AsTask().WaitAsync(RunningWorker.Timeout);

        Assert.Equal(InferenceError.Unavailable($"the worker of model 'echo' version 1 at {worker.Host.Endpoint} is unavailable: the client was disposed"), result.Error);
    }

    [Theory]
    [MemberData(nameof(DataTypeRoundTripTests.BothTransports), MemberType = typeof(DataTypeRoundTripTests))]
    public async Task A_caller_cancelling_ends_the_call_at_once_and_cancels_the_run_in_the_worker(Transport transport)
    {
        var held = new HeldModel();
        await using var worker = await RunningWorker.StartFakeAsync(held.Backend("held"), "held", transport: transport);
        using var cancel = new CancellationTokenSource();
        var inFlight = worker.Client.ExecuteAsync([Request()], cancel.Token).AsTask();
        await held.Started.Task.WaitAsync(RunningWorker.Timeout);

        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => inFlight).WaitAsync(RunningWorker.Timeout);
        await held.Cancelled.Task.WaitAsync(RunningWorker.Timeout);
        // The client is still usable; the next batch waits for the cancelled one to leave the instance, then runs.
        held.Release();
        Assert.Null((await worker.Client.ExecuteAsync([Request()]).AsTask().WaitAsync(RunningWorker.Timeout)).Error);
        Assert.False(worker.Client.IsClosed);
    }

    [Theory]
    [MemberData(nameof(DataTypeRoundTripTests.BothTransports), MemberType = typeof(DataTypeRoundTripTests))]
    public async Task A_worker_cut_off_mid_call_fails_the_call_as_unavailable(Transport transport)
    {
        var held = new HeldModel();
        // No drain: stopping aborts the connection with the call still running.
        await using var worker = await RunningWorker.StartFakeAsync(held.Backend("held"), "held", drainTimeout: TimeSpan.Zero, transport: transport);
        await worker.Client.DescribeAsync().WaitAsync(RunningWorker.Timeout);
        var inFlight = worker.Client.ExecuteAsync([Request()]).AsTask();
        await held.Started.Task.WaitAsync(RunningWorker.Timeout);

        await worker.Host.DisposeAsync().AsTask().WaitAsync(RunningWorker.Timeout);
        var result = await inFlight.WaitAsync(RunningWorker.Timeout);

        Assert.Equal(ErrorCode.Unavailable, result.Error?.Code);
        Assert.StartsWith($"the worker of model 'held' version 1 at {worker.Host.Endpoint} is unavailable: ", result.Error!.Message);
        Assert.True(held.Model.IsDisposed);
    }

    [Theory]
    [MemberData(nameof(DataTypeRoundTripTests.BothTransports), MemberType = typeof(DataTypeRoundTripTests))]
    public async Task A_second_batch_waits_for_the_running_one_instead_of_sharing_the_instance(Transport transport)
    {
        var held = new HeldModel();
        await using var worker = await RunningWorker.StartFakeAsync(held.Backend("held"), "held", transport: transport);
        using var second = WorkerClient.Create(worker.Host.Endpoint, new WorkerClientOptions { UseBatchSocket = transport == Transport.BatchSocket });
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        worker.Host.Model.WaitingForTurn = () => waiting.TrySetResult();
        var first = worker.Client.ExecuteAsync([Request()]).AsTask();
        await held.Started.Task.WaitAsync(RunningWorker.Timeout);

        var next = second.ExecuteAsync([Request()]).AsTask();
        await waiting.Task.WaitAsync(RunningWorker.Timeout);
        Assert.Equal(1, held.Model.ExecutionCount);
        held.Release();

        Assert.Null((await first.WaitAsync(RunningWorker.Timeout)).Error);
        Assert.Null((await next.WaitAsync(RunningWorker.Timeout)).Error);
        Assert.Equal(1, held.Model.MaxConcurrentExecutions);
        Assert.Empty(held.Model.Violations);
    }

    [Fact]
    public async Task Health_reports_the_instances_own_health()
    {
        var backend = new FakeBackend().Register("echo", FakeModelSpec.Identity("input", "output", DataType.Fp32, -1, 3));
        await using var worker = await RunningWorker.StartFakeAsync(backend, "echo");

        Assert.Equal(new WorkerHealth(true, null), await worker.Client.CheckHealthAsync().WaitAsync(RunningWorker.Timeout));
        backend.Model("echo").Instances[0].Health = InstanceHealth.Down("the accelerator was lost");
        Assert.Equal(new WorkerHealth(false, "the accelerator was lost"), await worker.Client.CheckHealthAsync().WaitAsync(RunningWorker.Timeout));
    }

    [Theory]
    [MemberData(nameof(DataTypeRoundTripTests.BothTransports), MemberType = typeof(DataTypeRoundTripTests))]
    public async Task The_client_reconnects_to_a_new_worker_at_the_same_socket(Transport transport)
    {
        var backend = new FakeBackend().Register("echo", FakeModelSpec.Identity("input", "output", DataType.Fp32, -1, 3));
        await using var worker = await RunningWorker.StartFakeAsync(backend, "echo", transport: transport);
        Assert.Null((await worker.Client.ExecuteAsync([Request()]).AsTask().WaitAsync(RunningWorker.Timeout)).Error);
        await worker.Host.DisposeAsync();

        await using var restarted = await WorkerHost.StartAsync(backend, new WorkerHostOptions
        {
            ModelDirectory = worker.Folder.ModelDirectory,
            ModelName = "echo",
            Version = 1,
            Endpoint = worker.Host.Endpoint,
        }).WaitAsync(RunningWorker.Timeout);
        await worker.Client.DescribeAsync().WaitAsync(RunningWorker.Timeout);

        Assert.Null((await worker.Client.ExecuteAsync([Request()]).AsTask().WaitAsync(RunningWorker.Timeout)).Error);
        Assert.Equal(2, backend.Loaded.Count);
        Assert.Equal(1, backend.Loaded[1].ExecutionCount);
        // On the batch socket, on a new connection to the new worker: the old connection's write failed (EPIPE), so it went again.
        Assert.Equal(transport == Transport.BatchSocket ? 1 : 0, restarted.BatchSocket!.Batches);
    }

    private static InferenceRequest Request() => new("model", [InferenceTensor.Create("input", new[] { 1f, 2f, 3f }, 1, 3)]);
}
