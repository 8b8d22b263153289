using Augur.Errors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Augur.Streams;

/// <summary>
/// Consumes a Redis Stream with a consumer group: each message is predicted by the <see cref="InferenceEngine"/> and its
/// outcome written to the output stream and acknowledged atomically (<see cref="OutcomeScript"/>), so every message yields
/// one output even when consumers crash. Several consumers (processes) share a group to scale out.
/// <list type="bullet">
/// <item>Backpressure: at most <see cref="StreamConsumerOptions.MaxInFlight"/> messages are read and unfinished; the
/// consumer reads only what it has room for, and Redis keeps the rest.</item>
/// <item>Pending messages of a dead consumer are claimed (XAUTOCLAIM) once idle for <see cref="StreamConsumerOptions.ClaimMinIdle"/>.</item>
/// <item>An invalid message (no body, bad JSON, bad input, unknown model) is dead-lettered at once with the reason; one
/// that fails otherwise stays pending and is retried, until its delivery count reaches
/// <see cref="StreamConsumerOptions.MaxAttempts"/>. Either way the output stream gets one entry with the error.</item>
/// <item>Steps of one sequence run one after another, in stream order, within a consumer.</item>
/// <item>Stopping (the token) ends reading; messages in flight are finished and written before <see cref="RunAsync"/> returns.</item>
/// </list>
/// </summary>
public sealed class RedisStreamConsumer
{
    private readonly InferenceEngine _engine;
    private readonly IDatabase _redis;
    private readonly StreamConsumerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _slots;
    private readonly Dictionary<string, Task> _inFlight = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task> _sequenceTails = new(StringComparer.Ordinal);
    private long _processed;

    /// <summary>Creates a consumer; <see cref="RunAsync"/> starts it.</summary>
    public RedisStreamConsumer(InferenceEngine engine, IConnectionMultiplexer redis, StreamConsumerOptions options, ILogger<RedisStreamConsumer>? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        _engine = engine;
        _redis = redis.GetDatabase();
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _slots = new SemaphoreSlim(options.MaxInFlight, options.MaxInFlight);
    }

    /// <summary>Messages whose outcome this consumer wrote (outputs and dead letters).</summary>
    public long Processed => Interlocked.Read(ref _processed);

    /// <summary>Consumes until <paramref name="stoppingToken"/> fires, then finishes the messages in flight.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        await EnsureGroupAsync().ConfigureAwait(false);
        StreamLog.Started(_logger, _options.InputStream, _options.Consumer, _options.Group, _options.Model, _options.OutputStream);

        // Messages this consumer name read in an earlier life and never finished come first.
        var ownPending = true;
        var ownCursor = (RedisValue)"0-0";
        var claimCursor = (RedisValue)"0-0";
        var nextClaim = long.MinValue;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (!_slots.Wait(0))
                {
                    // Every slot is taken: nothing more is read until a message in flight finishes.
                    StreamLog.Full(_logger, _options.MaxInFlight);
                    await _slots.WaitAsync(stoppingToken).ConfigureAwait(false);
                }

                var capacity = _slots.CurrentCount + 1;
                _slots.Release();

                StreamEntry[] entries;
                var claimed = false;
                try
                {
                    if (ownPending)
                    {
                        entries = await _redis.StreamReadGroupAsync(_options.InputStream, _options.Group, _options.Consumer, ownCursor, capacity).ConfigureAwait(false);
                        ownPending = entries.Length >= capacity;
                        ownCursor = entries.Length > 0 ? entries[^1].Id : ownCursor;
                        entries = entries.Where(e => !IsInFlight(e.Id.ToString())).ToArray();
                        claimed = true;
                    }
                    else if (_time.GetTimestamp() >= nextClaim)
                    {
                        var result = await _redis.StreamAutoClaimAsync(_options.InputStream, _options.Group, _options.Consumer, (long)_options.ClaimMinIdle.TotalMilliseconds, claimCursor, capacity).ConfigureAwait(false);
                        claimCursor = result.NextStartId;
                        entries = result.ClaimedEntries.Where(e => !IsInFlight(e.Id.ToString())).ToArray();
                        if (claimCursor == "0-0")
                        {
                            nextClaim = _time.GetTimestamp() + (long)(_options.ClaimInterval.TotalSeconds * _time.TimestampFrequency);
                        }

                        if (entries.Length > 0)
                        {
                            StreamLog.Claimed(_logger, entries.Length, _options.ClaimMinIdle);
                        }

                        claimed = true;
                    }
                    else
                    {
                        entries = await _redis.StreamReadGroupAsync(_options.InputStream, _options.Group, _options.Consumer, StreamPosition.NewMessages, capacity).ConfigureAwait(false);
                    }
                }
                catch (RedisException ex)
                {
                    StreamLog.ReadFailed(_logger, _options.InputStream, ex);
                    await Task.Delay(_options.PollInterval * 10, _time, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                foreach (var entry in entries)
                {
                    await _slots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                    Start(entry, redelivered: claimed);
                }

                if (entries.Length == 0 && !claimed)
                {
                    await Task.Delay(_options.PollInterval, _time, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await DrainAsync().ConfigureAwait(false);
        StreamLog.Stopped(_logger, Processed);
    }

    private async Task EnsureGroupAsync()
    {
        try
        {
            // A new group reads the stream from its start, so messages sent before the first consumer are not skipped.
            await _redis.StreamCreateConsumerGroupAsync(_options.InputStream, _options.Group, "0-0", createStream: true).ConfigureAwait(false);
            StreamLog.GroupCreated(_logger, _options.Group, _options.InputStream);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
        }
    }

    private bool IsInFlight(string id)
    {
        lock (_inFlight)
        {
            return _inFlight.ContainsKey(id);
        }
    }

    /// <summary>Starts a message: after the previous step of its sequence, if it has one; otherwise at once.</summary>
    private void Start(StreamEntry entry, bool redelivered)
    {
        var message = StreamMessage.Decode(entry, _options.Model, _options.ModelVersion);
        var id = message.Id;
        Task task;
        lock (_inFlight)
        {
            var previous = message.SequenceId is { } sequence ? _sequenceTails.GetValueOrDefault(sequence) : null;
            task = previous is null
                ? Task.Run(() => ProcessAsync(message, redelivered))
                : previous.ContinueWith(_ => ProcessAsync(message, redelivered), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
            _inFlight[id] = task;
            if (message.SequenceId is { } s)
            {
                _sequenceTails[s] = task;
            }
        }

        _ = task.ContinueWith(_ => Finished(message), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void Finished(StreamMessage message)
    {
        lock (_inFlight)
        {
            _inFlight.Remove(message.Id);
            if (message.SequenceId is { } sequence && _sequenceTails.TryGetValue(sequence, out var tail) && tail.IsCompleted)
            {
                _sequenceTails.Remove(sequence);
            }
        }

        _slots.Release();
    }

    private async Task ProcessAsync(StreamMessage message, bool redelivered)
    {
        try
        {
            var attempts = redelivered ? await DeliveriesAsync(message.Id).ConfigureAwait(false) : 1;
            if (attempts > _options.MaxAttempts)
            {
                // Delivered more often than allowed without an outcome: it may be what brings consumers down.
                await FailAsync(message, new InferenceError(ErrorCode.Internal, $"delivered {attempts} times without an outcome (max attempts {_options.MaxAttempts})"), attempts, deadLetter: true).ConfigureAwait(false);
                return;
            }

            if (message.Error is { } invalid)
            {
                await FailAsync(message, invalid, attempts, deadLetter: true).ConfigureAwait(false);
                return;
            }

            var decoded = message.Decoded!;
            var result = await _engine.TryInferAsync(decoded.Request, CancellationToken.None).ConfigureAwait(false);
            if (result.IsSuccess)
            {
                var (body, headerLength) = OutcomeBody.Response(result.Response, decoded);
                List<NameValueEntry> output = [new(StreamFields.SourceId, message.Id), new(StreamFields.Body, body)];
                if (headerLength is { } length)
                {
                    output.Add(new(StreamFields.HeaderLength, length));
                }

                AddSequence(output, message);
                await WriteAsync(message.Id, output, null).ConfigureAwait(false);
                return;
            }

            var error = result.Error;
            if (IsPermanent(error.Code) || attempts >= _options.MaxAttempts)
            {
                var reason = IsPermanent(error.Code) ? error : error with { Message = $"failed {attempts} times; last: {error.Message}" };
                await FailAsync(message, reason, attempts, deadLetter: true).ConfigureAwait(false);
                return;
            }

            // Left pending: claimed again after ClaimMinIdle (by this consumer or another) and retried.
            StreamLog.WillRetry(_logger, message.Id, attempts, _options.MaxAttempts, error.Message);
        }
        catch (Exception ex)
        {
            // Redis unreachable, or anything unexpected: the message stays pending and is claimed and retried later.
            StreamLog.WriteFailed(_logger, message.Id, ex);
        }
    }

    private static bool IsPermanent(ErrorCode code) => code is ErrorCode.InvalidArgument or ErrorCode.NotFound or ErrorCode.PayloadTooLarge;

    private static void AddSequence(List<NameValueEntry> fields, StreamMessage message)
    {
        if (message.SequenceId is { } sequence)
        {
            fields.Add(new(StreamFields.SequenceId, sequence));
        }
    }

    private async Task<long> DeliveriesAsync(string id)
    {
        var pending = await _redis.StreamPendingMessagesAsync(_options.InputStream, _options.Group, 1, _options.Consumer, id, id).ConfigureAwait(false);
        return pending.Length == 1 ? pending[0].DeliveryCount : 1;
    }

    private async Task FailAsync(StreamMessage message, InferenceError error, long attempts, bool deadLetter)
    {
        var code = OutcomeBody.Code(error.Code);
        List<NameValueEntry> output = [new(StreamFields.SourceId, message.Id), new(StreamFields.Body, OutcomeBody.Error(error)), new(StreamFields.ErrorCode, code), new(StreamFields.Error, error.Message)];
        AddSequence(output, message);
        List<NameValueEntry>? dead = deadLetter
            ? [new(StreamFields.SourceId, message.Id), new(StreamFields.ErrorCode, code), new(StreamFields.Error, error.Message), new(StreamFields.Attempts, attempts), new(StreamFields.Body, message.Body)]
            : null;
        if (await WriteAsync(message.Id, output, dead).ConfigureAwait(false) && deadLetter)
        {
            StreamLog.DeadLettered(_logger, message.Id, _options.EffectiveDeadLetterStream, error.Message);
        }
    }

    private async Task<bool> WriteAsync(string id, IReadOnlyList<NameValueEntry> output, IReadOnlyList<NameValueEntry>? deadLetter)
    {
        if (!await OutcomeScript.WriteAsync(_redis, _options, id, output, deadLetter).ConfigureAwait(false))
        {
            StreamLog.LostOwnership(_logger, id);
            return false;
        }

        Interlocked.Increment(ref _processed);
        return true;
    }

    private async Task DrainAsync()
    {
        Task[] remaining;
        lock (_inFlight)
        {
            remaining = _inFlight.Values.ToArray();
        }

        await Task.WhenAll(remaining).ConfigureAwait(false);
    }
}
