namespace Augur.Workers.Client;

/// <summary>Settings of a <see cref="WorkerClient"/>.</summary>
public sealed record WorkerClientOptions
{
    /// <summary>
    /// How the worker is named in errors, e.g. <c>the worker of model 'fraud' version 1 (pid 4242)</c>. Default: "the
    /// worker at" its endpoint, and once described, "the worker of model '...' version ... at" its endpoint.
    /// </summary>
    public string? Name { get; init; }

    /// <summary>
    /// How long the connection may carry a call without a frame from the worker before a check that it is alive: an HTTP/2
    /// ping, or, for a batch on the batch socket, a Health call over gRPC (answered without touching the model), repeated
    /// after each delay while the batch runs. A worker that stops answering (a stopped or wedged process) fails its calls
    /// one ping timeout later. Default 15 seconds.
    /// </summary>
    public TimeSpan KeepAlivePingDelay { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a ping (or the batch socket's Health check) may go unanswered before the connection is dropped. Default 15 seconds.</summary>
    public TimeSpan KeepAlivePingTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long connecting (to the socket or TCP address) may take. Default 5 seconds.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether batches go over the worker's batch socket when it describes one (a worker on a Unix socket: at this side's
    /// path to that socket + <c>.batch</c>): length-prefixed protobuf frames on a plain socket, a fraction of a gRPC call's
    /// cost. Default true; false sends every batch as a gRPC <c>Execute</c> call, as for a TCP endpoint.
    /// </summary>
    public bool UseBatchSocket { get; init; } = true;

    /// <summary>The clock of batch timings and of the batch socket's keep-alive checks. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
