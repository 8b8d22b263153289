using System.Runtime.InteropServices;
using Augur.Diagnostics;
using Augur.Errors;
using Augur.Inference;
using Augur.Models;
using Augur.Scheduling;
using Augur.Stages;
using Augur.Tensors;
using Microsoft.Extensions.Caching.Distributed;

namespace Augur.Caching;

/// <summary>
/// The response cache stage of one model version (the pipeline's outermost). A request whose key (see
/// <see cref="RequestKey"/>) the in-process level holds is answered there, synchronously. Otherwise identical concurrent
/// misses share one flight: its leader asks the distributed level, then runs the rest of the pipeline, and keeps a
/// successful answer in both levels; errors are never kept. The version's identity (name, number and the fingerprint of
/// its files) is part of every key, so another version, or a reload of changed files under the same number, never sees
/// this version's answers; and when the version is retired its entries leave the in-process level at once.
/// </summary>
internal sealed class ResponseCacheStage : IRequestStage, IDisposable
{
    // A waiter whose leader's own limits ended the run tries again (and may lead); a few tries, then it gives up with that outcome.
    private const int MaxAttempts = 3;

    private readonly ResponseCache _cache;
    private readonly TimeProvider _time;
    private readonly string _model;
    private readonly long _versionNumber;
    private readonly byte[] _version;
    private readonly ModelSignature _signature;
    private readonly long _timeToLiveTicks;
    private readonly long _maxEntryBytes;
    private readonly string _distributedPrefix;
    private readonly DistributedCacheEntryOptions _distributedEntry;
    private readonly Dictionary<UInt128, Flight> _flights = [];
    private int _disposed;

    public ResponseCacheStage(ResponseCache cache, StageSite site, TimeSpan timeToLive)
    {
        _cache = cache;
        _time = cache.Time;
        _model = site.Model;
        _versionNumber = site.Version;
        _version = MemoryMarshal.AsBytes($"{site.Model}\n{site.VersionText}\n{site.Fingerprint}".AsSpan()).ToArray();
        _signature = site.Signature;
        _timeToLiveTicks = (long)(timeToLive.TotalSeconds * _time.TimestampFrequency);
        _maxEntryBytes = cache.Options.MaxEntryBytes!.Value;
        _distributedPrefix = $"{cache.Options.DistributedKeyPrefix}{site.Model}:{site.VersionText}:";
        _distributedEntry = new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = timeToLive };
        Metrics = cache.Metrics.ForVersion(site.Model, site.VersionText);
    }

    public VersionCacheMetrics Metrics { get; }

    /// <summary>A hit answers without the model, so every response of a caching model says where it came from.</summary>
    public bool AnswersWithoutModel => true;

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    public ValueTask<ExecutionOutcome> InvokeAsync(RequestContext context, RequestHandler next)
    {
        var request = context.Request;
        var start = _time.GetTimestamp();
        var count = request.Inputs.Count;
        Span<int> order = count <= RequestKey.StackInputs ? stackalloc int[count] : new int[count];
        RequestKey.Order(request.Inputs, order);
        var key = RequestKey.Hash(_version, request, order, _signature);
        if (_cache.Memory.Find(key, this, start) is { } entry && RequestKey.Matches(entry.Material, request, order, _signature))
        {
            Metrics.Hit(distributed: false, _time.GetElapsedTime(start));
            return new ValueTask<ExecutionOutcome>(Answer(entry));
        }

        return MissAsync(context, next, key, RequestKey.Material(request, order, _signature), start);
    }

    private static ExecutionOutcome Answer(CacheEntry entry) => new(entry.Outputs, null, default) { Source = PredictionSources.Cache };

    private async ValueTask<ExecutionOutcome> MissAsync(RequestContext context, RequestHandler next, UInt128 key, byte[] material, long start)
    {
        var token = context.CancellationToken;
        var counted = false;
        for (var attempt = 1; ; attempt++)
        {
            Flight? flight;
            bool leads;
            lock (_flights)
            {
                leads = !_flights.TryGetValue(key, out flight);
                if (leads)
                {
                    flight = new Flight(material);
                    _flights.Add(key, flight);
                }
            }

            if (leads)
            {
                return await LeadAsync(context, next, key, flight!, start, counted).ConfigureAwait(false);
            }

            if (!counted)
            {
                Metrics.Miss(_time.GetElapsedTime(start));
                counted = true;
            }

            if (!flight!.Material.AsSpan().SequenceEqual(material))
            {
                // Another request whose hash collides with this one's is in flight: answer this one without the cache.
                return await next(context).ConfigureAwait(false);
            }

            Metrics.Coalesced();
            ExecutionOutcome outcome;
            try
            {
                outcome = token.CanBeCanceled
                    ? await flight.Outcome.Task.WaitAsync(token).ConfigureAwait(false)
                    : await flight.Outcome.Task.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                // Only this waiter leaves: the run goes on for the leader and the others.
                return ExecutionOutcome.Failed(CacheErrors.CancelledWhileWaiting(_model));
            }

            // The leader's own limits (its timeout, its client leaving) ended its run: that says nothing about this request.
            if (outcome.Error?.Code is ErrorCode.Cancelled or ErrorCode.DeadlineExceeded && attempt < MaxAttempts && !token.IsCancellationRequested)
            {
                continue;
            }

            return outcome;
        }
    }

    private async ValueTask<ExecutionOutcome> LeadAsync(RequestContext context, RequestHandler next, UInt128 key, Flight flight, long start, bool counted)
    {
        ExecutionOutcome outcome;
        try
        {
            outcome = await RunAsync(context, next, key, flight.Material, start, counted).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Land(key, flight);
            flight.Outcome.TrySetException(ex);
            // Observed here: a flight nobody joined must not report its exception as unobserved later.
            _ = flight.Outcome.Task.Exception;
            throw;
        }

        Land(key, flight);
        flight.Outcome.TrySetResult(outcome);
        return outcome;
    }

    private void Land(UInt128 key, Flight flight)
    {
        lock (_flights)
        {
            if (_flights.TryGetValue(key, out var current) && ReferenceEquals(current, flight))
            {
                _flights.Remove(key);
            }
        }
    }

    private async ValueTask<ExecutionOutcome> RunAsync(RequestContext context, RequestHandler next, UInt128 key, byte[] material, long start, bool counted)
    {
        // Inner stages may replace the request (to add inputs); the key is the caller's request.
        var request = context.Request;
        string? distributedKey = null;
        if (_cache.Distributed is { } distributed)
        {
            distributedKey = _distributedPrefix + key.ToString("X32", System.Globalization.CultureInfo.InvariantCulture);
            var payload = await distributed.GetAsync(distributedKey, context.CancellationToken).ConfigureAwait(false);
            if (payload is not null && TryRead(key, payload, material, request) is { } shared)
            {
                _cache.Memory.Add(shared);
                if (!counted)
                {
                    Metrics.Hit(distributed: true, _time.GetElapsedTime(start));
                }

                return Answer(shared);
            }
        }

        if (!counted)
        {
            Metrics.Miss(_time.GetElapsedTime(start));
        }

        var outcome = await next(context).ConfigureAwait(false);
        if (outcome.Error is null && TryStore(key, material, request, outcome) is { } stored)
        {
            _cache.Memory.Add(stored);
            if (distributedKey is not null)
            {
                _cache.Distributed!.TrySetInBackground(distributedKey, stored.Payload, _distributedEntry);
            }
        }

        return outcome;
    }

    /// <summary>The outputs an entry for <paramref name="request"/> holds: those asked for (all by default), in signature order.</summary>
    private IReadOnlyList<TensorSpec> Kept(InferenceRequest request) =>
        request.RequestedOutputs is { } requested ? _signature.Outputs.Where(o => RequestKey.Contains(requested, o.Name)).ToArray() : _signature.Outputs;

    /// <summary>An entry with a copy of the outcome's outputs; null when they are too large to keep.</summary>
    private CacheEntry? TryStore(UInt128 key, byte[] material, InferenceRequest request, ExecutionOutcome outcome)
    {
        var kept = Kept(request);
        var outputs = new InferenceTensor[kept.Count];
        long bytes = material.Length;
        for (var i = 0; i < outputs.Length; i++)
        {
            var output = FindOutput(outcome.Outputs!, kept[i].Name);
            if (output is null)
            {
                return null;
            }

            outputs[i] = output;
            bytes += output.Data.Length;
        }

        if (bytes > _maxEntryBytes)
        {
            return null;
        }

        var payload = CachePayload.Build(_version, material, outputs);
        return CachePayload.TryRead(payload, _version, kept, out var contents, out _)
            ? new CacheEntry(key, this, payload, contents, _time.GetTimestamp() + _timeToLiveTicks)
            : null;
    }

    private static InferenceTensor? FindOutput(IReadOnlyList<InferenceTensor> outputs, string name)
    {
        for (var i = 0; i < outputs.Count; i++)
        {
            if (string.Equals(outputs[i].Name, name, StringComparison.Ordinal))
            {
                return outputs[i];
            }
        }

        return null;
    }

    /// <summary>The distributed level's entry as an in-process one; null when it is unusable or answers another request.</summary>
    private CacheEntry? TryRead(UInt128 key, byte[] payload, byte[] material, InferenceRequest request)
    {
        if (!CachePayload.TryRead(payload, _version, Kept(request), out var contents, out var problem))
        {
            _cache.Metrics.DistributedFailed("get", "invalid");
            CacheLog.DistributedEntryRejected(_cache.Logger, _model, _versionNumber, problem!);
            return null;
        }

        // A different request whose hash collides: a miss, not a fault.
        return contents.Material.AsSpan().SequenceEqual(material)
            ? new CacheEntry(key, this, payload, contents, _time.GetTimestamp() + _timeToLiveTicks)
            : null;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _cache.Memory.RemoveAll(this);
        Metrics.Unregister();
    }
}
