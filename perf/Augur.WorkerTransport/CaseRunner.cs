using System.Diagnostics;
using Augur.Backends;
using Augur.Errors;
using Augur.Workers.Client;

namespace Augur.WorkerTransport;

/// <summary>
/// Measures one case: per iteration, one call of each of the five variants, in an order that rotates every iteration,
/// so machine noise falls on all of them alike.
/// <list type="bullet">
/// <item>in process: the local model's <c>ExecuteAsync</c> (the batch's work without a transport);</item>
/// <item>worker gRPC: <c>WorkerClient.ExecuteAsync</c> with the batch socket off, one gRPC Execute call, the worker's run included;</item>
/// <item>worker batch socket: the same call over the worker's batch socket, as the engine makes it by default;</item>
/// <item>shared-memory bound: the batch's input bytes copied into the mapped region, one empty batch over the batch
/// socket as the signal, and the output bytes copied out into a new array: what a shared-memory transport adds to the
/// run at least.</item>
/// <item>raw socket: the same bytes to a plain Unix-socket echo process and back (<see cref="EchoPeer"/>): the socket's
/// own cost, without protobuf or a model.</item>
/// </list>
/// </summary>
internal static class CaseRunner
{
    private const int WarmupRounds = 3;

    private const int Variants = 5;

    public static async Task<CaseResult> MeasureAsync(TransportCase c, SharedRegion region, EchoPeer echo, BenchSettings settings)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(settings.SecondsPerCase * 4 + 120));
        var token = bound.Token;
        await CheckAsync(c, c.Worker.Client, token);
        await CheckAsync(c, c.Worker.GrpcClient, token);
        for (var i = 0; i < WarmupRounds; i++)
        {
            await InProcessAsync(c);
            await WorkerAsync(c, c.Worker.GrpcClient, token);
            await WorkerAsync(c, c.Worker.Client, token);
            await SharedMemoryBoundAsync(c, region, token);
            RawSocket(c, echo);
        }

        var round = Stopwatch.StartNew();
        await InProcessAsync(c);
        await WorkerAsync(c, c.Worker.GrpcClient, token);
        await WorkerAsync(c, c.Worker.Client, token);
        await SharedMemoryBoundAsync(c, region, token);
        RawSocket(c, echo);
        var iterations = (int)Math.Clamp(settings.SecondsPerCase / Math.Max(round.Elapsed.TotalSeconds, 1e-6), settings.MinIterations, settings.MaxIterations);

        var inProcess = new double[iterations];
        var grpc = new double[iterations];
        var batchSocket = new double[iterations];
        var shared = new double[iterations];
        var emptyCall = new double[iterations];
        var socket = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            for (var k = 0; k < Variants; k++)
            {
                switch ((i + k) % Variants)
                {
                    case 0:
                        inProcess[i] = await InProcessAsync(c);
                        break;
                    case 1:
                        grpc[i] = await WorkerAsync(c, c.Worker.GrpcClient, token);
                        break;
                    case 2:
                        batchSocket[i] = await WorkerAsync(c, c.Worker.Client, token);
                        break;
                    case 3:
                        (shared[i], emptyCall[i]) = await SharedMemoryBoundAsync(c, region, token);
                        break;
                    default:
                        socket[i] = RawSocket(c, echo);
                        break;
                }
            }
        }

        return new CaseResult(c, iterations, inProcess, grpc, batchSocket, shared, emptyCall, socket);
    }

    private static async Task<double> InProcessAsync(TransportCase c)
    {
        var start = Stopwatch.GetTimestamp();
        var result = await c.Local.ExecuteAsync(c.Batch);
        var elapsed = Stopwatch.GetElapsedTime(start);
        Require(result, c, "in process");
        return elapsed.TotalMicroseconds;
    }

    private static async Task<double> WorkerAsync(TransportCase c, WorkerClient client, CancellationToken token)
    {
        var start = Stopwatch.GetTimestamp();
        var result = await client.ExecuteAsync(c.Batch, token);
        var elapsed = Stopwatch.GetElapsedTime(start);
        Require(result, c, "through the worker");
        return elapsed.TotalMicroseconds;
    }

    private static async Task<(double Total, double Call)> SharedMemoryBoundAsync(TransportCase c, SharedRegion region, CancellationToken token)
    {
        var start = Stopwatch.GetTimestamp();
        var offset = 0;
        foreach (var request in c.Batch)
        {
            foreach (var input in request.Inputs)
            {
                input.Data.Span.CopyTo(region.Span[offset..]);
                offset += input.Data.Length;
            }
        }

        // The signal: a batch of no requests over the batch socket, which the worker answers at once (invalid: empty).
        var signalled = Stopwatch.GetTimestamp();
        var answer = await c.Worker.Client.ExecuteAsync([], token);
        var answered = Stopwatch.GetTimestamp();
        if (answer.Error?.Code != ErrorCode.InvalidArgument)
        {
            throw new InvalidOperationException($"{c.Name}: the empty batch was not answered as invalid: {answer.Error?.Message ?? "it succeeded"}");
        }

        // The response's tensor needs memory of its own (the region is reused by the next batch): a new array, as the
        // in-process backend allocates for its outputs.
        var output = GC.AllocateUninitializedArray<byte>(c.OutputBytes);
        region.Span[..c.OutputBytes].CopyTo(output);
        var end = Stopwatch.GetTimestamp();
        GC.KeepAlive(output);
        return (Stopwatch.GetElapsedTime(start, end).TotalMicroseconds, Stopwatch.GetElapsedTime(signalled, answered).TotalMicroseconds);
    }

    private static double RawSocket(TransportCase c, EchoPeer echo)
    {
        var start = Stopwatch.GetTimestamp();
        var output = echo.RoundTrip(c.Batch.SelectMany(r => r.Inputs.Select(i => i.Data)), c.InputBytes, c.OutputBytes);
        var elapsed = Stopwatch.GetElapsedTime(start);
        GC.KeepAlive(output);
        return elapsed.TotalMicroseconds;
    }

    /// <summary>Once per case and client, before timing: the worker's outputs are the identity's inputs, or equal the local model's.</summary>
    private static async Task CheckAsync(TransportCase c, WorkerClient client, CancellationToken token)
    {
        var remote = await client.ExecuteAsync(c.Batch, token);
        Require(remote, c, "through the worker");
        var local = await c.Local.ExecuteAsync(c.Batch);
        Require(local, c, "in process");
        var outputBytes = 0;
        for (var r = 0; r < c.Batch.Count; r++)
        {
            for (var o = 0; o < remote.Outputs![r].Count; o++)
            {
                var got = remote.Outputs[r][o];
                var expected = c.IsIdentity ? c.Batch[r].Inputs[o] : local.Outputs![r][o];
                if (!got.Data.Span.SequenceEqual(expected.Data.Span) || !got.Shape.SequenceEqual(expected.Shape))
                {
                    throw new InvalidOperationException($"{c.Name}: request {r} output '{got.Name}' through the worker ({got}) differs from {(c.IsIdentity ? "its input" : "the in-process run")} ({expected})");
                }

                outputBytes += got.Data.Length;
            }
        }

        if (outputBytes != c.OutputBytes)
        {
            throw new InvalidOperationException($"{c.Name}: the outputs hold {outputBytes} bytes; the case expected {c.OutputBytes}");
        }
    }

    private static void Require(BatchResult result, TransportCase c, string how)
    {
        if (result.Error is { } error)
        {
            throw new InvalidOperationException($"{c.Name}: the batch failed {how}: {error.Code}: {error.Message}");
        }
    }
}

/// <summary>The per-iteration times of one case, in microseconds, index i of each from the same iteration.</summary>
internal sealed record CaseResult(
    TransportCase Case, int Iterations, double[] InProcess, double[] Grpc, double[] BatchSocket, double[] SharedMemoryBound, double[] EmptyCall, double[] RawSocket)
{
    /// <summary>Per iteration, what the gRPC round trip cost beyond the in-process run next to it.</summary>
    public double[] GrpcExtra { get; } = Grpc.Zip(InProcess, (w, p) => w - p).ToArray();

    /// <summary>Per iteration, what the batch socket round trip cost beyond the in-process run next to it.</summary>
    public double[] BatchSocketExtra { get; } = BatchSocket.Zip(InProcess, (w, p) => w - p).ToArray();

    /// <summary>Input plus output bytes, in MiB: what either transport moves per batch.</summary>
    public double MovedMiB => (Case.InputBytes + Case.OutputBytes) / (double)(1 << 20);
}
