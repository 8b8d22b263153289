using System.Globalization;
using System.Net.Sockets;
using Augur.Workers.Protocol;
using Augur.Workers.Wire;
using Google.Protobuf;

namespace Augur.Workers.Client;

/// <summary>A batch's answer over the batch socket, with the timestamps of its frame going out and of the answer's frame in.</summary>
internal readonly record struct BatchExchange(ExecuteResponse Response, long Sent, long Received);

/// <summary>
/// A <see cref="WorkerClient"/>'s connection to the worker's batch socket: one kept connection carrying one batch at a time
/// (callers take turns), opened on first use and again after any failure. A call that fails or is abandoned (its token
/// fired: the caller cancelled, the client closed) closes the connection: the worker sees it close and cancels the batch,
/// and the next call, on a new connection, cannot read the abandoned call's answer.
/// </summary>
/// <remarks>
/// Asynchronous receives, unlike the worker's blocking ones: a caller of <see cref="WorkerClient.ExecuteAsync"/> gets a
/// pending task back and its thread is not held for the model's run.
/// </remarks>
internal sealed class BatchSocketChannel : IDisposable
{
    private readonly UnixDomainSocketEndPoint _endPoint;
    private readonly TimeSpan _connectTimeout;
    private readonly TimeProvider _time;
    private readonly BatchKeepAlive? _keepAlive;
    private readonly SemaphoreSlim _turn = new(1, 1);
    private Connection? _connection;
    private volatile bool _disposed;

    public BatchSocketChannel(string path, TimeSpan connectTimeout, TimeProvider time, BatchKeepAlive? keepAlive)
    {
        Path = path;
        _endPoint = new UnixDomainSocketEndPoint(path);
        _connectTimeout = connectTimeout;
        _time = time;
        _keepAlive = keepAlive;
    }

    /// <summary>The batch socket's path.</summary>
    public string Path { get; }

    /// <summary>Called once a batch's frame is written and its keep-alive armed, before its answer is awaited (a test's known point).</summary>
    internal Action? Sent { get; set; }

    /// <summary>The keep-alive checks of batches waiting for their answer (for tests).</summary>
    internal BatchKeepAlive? KeepAlive => _keepAlive;

    /// <summary>
    /// Sends <paramref name="request"/> (whose serialised size is <paramref name="length"/>, at most
    /// <see cref="BatchFrame.MaxLength"/>) and returns the worker's answer. A failure to reach the worker or a broken
    /// connection throws <see cref="BatchSocketException"/> saying which; <paramref name="cancellationToken"/> firing throws
    /// <see cref="OperationCanceledException"/>.
    /// </summary>
    public async ValueTask<BatchExchange> ExecuteAsync(ExecuteRequest request, int length, CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                var connection = _connection ?? await ConnectAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    var frame = connection.Writer.Write(request, length);
                    var sent = _time.GetTimestamp();
                    try
                    {
                        await connection.SendAsync(frame, cancellationToken).ConfigureAwait(false);
                    }
                    catch (SocketException ex) when (attempt == 0 && ex.SocketErrorCode == SocketError.Shutdown)
                    {
                        // EPIPE: the worker had closed this connection (it stopped, or restarted at the same path) before this
                        // side noticed. It saw at most part of the frame and ran nothing, so the batch goes once more, on a
                        // new connection. Any later failure may have reached a worker, and is not retried.
                        Drop(connection);
                        continue;
                    }

                    ReadOnlyMemory<byte>? read;
                    _keepAlive?.Begin(connection.AbortWith);
                    Sent?.Invoke();
                    try
                    {
                        read = await connection.Reader.ReadAsync(connection.Socket, cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        _keepAlive?.End();
                    }

                    var answer = read ?? throw new BatchSocketException(connection.AbortReason ?? "it closed its batch socket connection before it answered");
                    var received = _time.GetTimestamp();
                    return new BatchExchange(ExecuteResponse.Parser.ParseFrom(answer.Span), sent, received);
                }
                catch (Exception ex) when (Described(ex, connection) is { } described)
                {
                    Drop(connection);
                    throw described;
                }
                catch
                {
                    Drop(connection);
                    throw;
                }
            }
        }
        finally
        {
            if (_disposed && _connection is { } left)
            {
                Drop(left);
            }

            _turn.Release();
        }
    }

    /// <summary>Closes the connection; a call in flight fails, and every later one throws <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        _disposed = true;
        _keepAlive?.Dispose();
        if (_turn.Wait(0))
        {
            try
            {
                if (_connection is { } idle)
                {
                    Drop(idle);
                }
            }
            finally
            {
                _turn.Release();
            }
        }
        else
        {
            // A call is in flight: closing its socket ends it, and it lets go of the connection's buffers itself.
            Volatile.Read(ref _connection)?.Abort();
        }
    }

    private async ValueTask<Connection> ConnectAsync(CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            using var timer = new CancellationTokenSource(_connectTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
            try
            {
                await socket.ConnectAsync(_endPoint, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new BatchSocketException(string.Create(CultureInfo.InvariantCulture, $"connecting to its batch socket '{Path}' took longer than {_connectTimeout.TotalMilliseconds:0} ms"));
            }
            catch (SocketException ex)
            {
                throw new BatchSocketException($"cannot connect to its batch socket '{Path}' ({ex.Message.TrimEnd('.')})", ex);
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var connection = new Connection(socket);
        Volatile.Write(ref _connection, connection);
        return connection;
    }

    // A failure of the transport, worded for "{worker} is unavailable: ..."; null for what goes to the caller as it is
    // (cancellation, the channel disposed, and failures already worded).
    private static BatchSocketException? Described(Exception ex, Connection connection) => ex switch
    {
        OperationCanceledException => null,
        _ when connection.AbortReason is { } reason => new BatchSocketException(reason, ex),
        InvalidDataException or InvalidProtocolBufferException => new BatchSocketException($"its answer on the batch socket could not be read ({ex.Message.TrimEnd('.')})", ex),
        SocketException or IOException and not BatchSocketException => new BatchSocketException($"the connection to its batch socket broke ({ex.Message.TrimEnd('.')})", ex),
        _ => null,
    };

    // Only by the caller holding the turn (or Dispose once it has it): the connection's buffers return to the pool.
    private void Drop(Connection connection)
    {
        Interlocked.CompareExchange(ref _connection, null, connection);
        connection.Dispose();
    }

    /// <summary>Why a batch could not go over the batch socket, worded to follow "the worker ... is unavailable: ".</summary>
    internal sealed class BatchSocketException(string message, Exception? innerException = null) : IOException(message, innerException);

    private sealed class Connection : IDisposable
    {
        private volatile string? _abortReason;

        public Connection(Socket socket)
        {
            Socket = socket;
            AbortWith = reason =>
            {
                _abortReason = reason;
                Abort();
            };
        }

        public Socket Socket { get; }

        /// <summary>Aborts the connection for the reason given (the keep-alive's), which its call then fails with.</summary>
        public Action<string> AbortWith { get; }

        public string? AbortReason => _abortReason;

        public FrameReader Reader { get; } = new();

        public FrameWriter Writer { get; } = new();

        public async ValueTask SendAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
        {
            while (frame.Length > 0)
            {
                frame = frame[await Socket.SendAsync(frame, SocketFlags.None, cancellationToken).ConfigureAwait(false)..];
            }
        }

        /// <summary>Closes the socket (from any thread): an operation in flight on it fails.</summary>
        public void Abort() => Socket.Dispose();

        public void Dispose()
        {
            Socket.Dispose();
            Reader.Dispose();
            Writer.Dispose();
        }
    }
}
