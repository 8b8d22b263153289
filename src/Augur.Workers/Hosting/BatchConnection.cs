using System.Net.Sockets;
using Augur.Errors;
using Augur.Workers.Diagnostics;
using Augur.Workers.Protocol;
using Augur.Workers.Wire;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using ErrorCode = Augur.Errors.ErrorCode;

namespace Augur.Workers.Hosting;

/// <summary>
/// One engine connection on the batch socket. A thread of its own reads a frame, runs the batch on that same thread
/// (<see cref="WorkerModel.ExecuteAsync"/>, as gRPC's Execute does) and writes the answer, with blocking socket calls: the
/// engine's bytes wake this thread directly, where an asynchronous receive would wake the poll thread and then a
/// thread-pool thread (docs/design/0011 has the measurement). A second thread waits for the engine to close the
/// connection (<see cref="PeerClosedWatch"/>) and cancels the running batch when it does.
/// </summary>
internal sealed class BatchConnection
{
    private readonly Socket _socket;
    private readonly WorkerModel _model;
    private readonly BatchSocketListener _listener;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _gone = new();
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _gate = new();
    private bool _running;
    private bool _stopping;
    private bool _closed;

    public BatchConnection(Socket socket, WorkerModel model, BatchSocketListener listener, ILogger logger)
    {
        _socket = socket;
        _model = model;
        _listener = listener;
        _logger = logger;
    }

    /// <summary>Completes once the connection is closed and its batch, if one ran, has returned.</summary>
    public Task Finished => _finished.Task;

    public void Start()
    {
        new Thread(Watch) { IsBackground = true, Name = "Augur batch socket watch" }.Start();
        new Thread(Serve) { IsBackground = true, Name = "Augur batch socket" }.Start();
    }

    /// <summary>Closes the connection now if no batch runs on it, otherwise once its answer is written.</summary>
    public void StopWhenIdle()
    {
        lock (_gate)
        {
            _stopping = true;
            if (!_running)
            {
                ShutDown();
            }
        }
    }

    /// <summary>Closes the connection now, and so cancels the batch running on it.</summary>
    public void Abort()
    {
        lock (_gate)
        {
            _stopping = true;
            ShutDown();
        }
    }

    private void Serve()
    {
        var reader = new FrameReader();
        var writer = new FrameWriter();
        try
        {
            while (reader.Read(_socket) is { } frame)
            {
                var request = ExecuteRequest.Parser.ParseFrom(frame.Span);
                if (!Begin())
                {
                    return;
                }

                _listener.Counted();
                var response = _model.ExecuteAsync(request, _gone.Token).GetAwaiter().GetResult();
                var length = response.CalculateSize();
                if (length > BatchFrame.MaxLength)
                {
                    response = TooLarge(length);
                    length = response.CalculateSize();
                }

                SendAll(writer.Write(response, length).Span);
                if (!End())
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or InvalidProtocolBufferException)
        {
            WorkerLog.BadBatchFrame(_logger, _model.Name, ex.Message);
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException)
        {
            // The engine closed the connection (or the worker is stopping): nothing to answer.
        }
        catch (Exception ex)
        {
            // Never the worker's end: the engine sees the connection close and fails the batch as unavailable.
            WorkerLog.BatchConnectionFailed(_logger, _model.Name, ex);
        }
        finally
        {
            Close();
            reader.Dispose();
            writer.Dispose();
            _finished.TrySetResult();
        }
    }

    private void Watch()
    {
        PeerClosedWatch.Wait(_socket);
        // The engine abandoned the batch (its caller cancelled, or it lost patience): the model's run is cancelled.
        Cancel();
        lock (_gate)
        {
            ShutDown();
        }
    }

    private void Cancel()
    {
        try
        {
            _gone.Cancel();
        }
        catch (AggregateException ex)
        {
            // A model's cancellation callback threw; the batch still ends, and this thread must not take the worker down.
            WorkerLog.BatchConnectionFailed(_logger, _model.Name, ex);
        }
    }

    private bool Begin()
    {
        lock (_gate)
        {
            _running = !_stopping;
            return _running;
        }
    }

    private bool End()
    {
        lock (_gate)
        {
            _running = false;
            return !_stopping;
        }
    }

    private void SendAll(ReadOnlySpan<byte> frame)
    {
        while (frame.Length > 0)
        {
            frame = frame[_socket.Send(frame)..];
        }
    }

    // Under _gate. Shutting down wakes the blocking receive (it returns 0) and the watch (POLLHUP).
    private void ShutDown()
    {
        if (!_closed)
        {
            try
            {
                _socket.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
                // Not connected any more.
            }
        }
    }

    private void Close()
    {
        lock (_gate)
        {
            ShutDown();
            _closed = true;
        }

        // Waits, if need be, for the watch to let go of the descriptor (it wakes on the shutdown above). _gone is not
        // disposed: the watch may still cancel it, and a source without a timer holds nothing to release.
        _socket.Dispose();
        Cancel();
    }

    private ExecuteResponse TooLarge(int length) => new()
    {
        Error = WireErrors.ToWire(new InferenceError(
            ErrorCode.PayloadTooLarge,
            $"the outputs of the batch for model '{_model.Name}' take {length} bytes; the batch socket carries at most {BatchFrame.MaxLength}")),
    };
}
