using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Augur.Cli.Commands.Serve;
using Augur.Core.Tests.Caching;
using Augur.Inference;
using Augur.Streams.Tests;
using Augur.Tensors;
using Augur.Testing.Fakes;
using Microsoft.Extensions.Caching.Distributed;

namespace Augur.Cli.Tests;

/// <summary>
/// The response cache as <c>augur serve</c> composes it (<see cref="ServeCache"/>: Microsoft's RedisCache as the shared
/// level) against a real redis-server on a unix socket: replicas share answers, and a Redis that dies or never answers
/// fails no request.
/// </summary>
public sealed class ServeCacheRedisTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly RedisServer _redis = new();
    private readonly TempRepository _repository = new TempRepository().AddModel("m")
        .WriteConfig("m", """{"max_batch_size": 8, "warmup": {"iterations": 0}, "response_cache": {"enable": true}}""");

    public Task InitializeAsync() => _redis.InitializeAsync();

    public Task DisposeAsync() => _redis.DisposeAsync();

    public void Dispose() => _repository.Dispose();

    private static InferenceRequest Request(float value) => new("m", [InferenceTensor.Create("x", new[] { value, 0, 0 }, 1, 3)]);

    private static FakeModelSpec Echo() => FakeModelSpec.Identity("x", "y", DataType.Fp32, -1, 3);

    private async Task<InferenceEngine> EngineAsync(FakeBackend backend, ServeCache cache, TimeProvider? time = null)
    {
        var builder = new InferenceEngineBuilder().UseModelRepository(_repository.Path).AddBackend(backend.Register("m", Echo())).UseResponseCache(cache.Options);
        if (time is not null)
        {
            builder.UseTimeProvider(time);
        }

        return await builder.BuildAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_second_engine_sharing_redis_is_answered_from_the_first_engines_entry()
    {
        // Redis is up here: a generous bound keeps a slow moment of this machine from turning the shared read into a miss.
        var settings = new ServeSettings { Cache = _redis.Configuration, CacheTimeoutMilliseconds = 20_000 };
        using var firstCache = ServeCache.Open(settings);
        var written = new WriteSignal(firstCache.Options.Distributed!);
        firstCache.Options.Distributed = written;
        using var secondCache = ServeCache.Open(settings);
        await Task.WhenAll(firstCache.Connecting, secondCache.Connecting).WaitAsync(Timeout);
        var firstBackend = new FakeBackend();
        var secondBackend = new FakeBackend();
        await using var first = await EngineAsync(firstBackend, firstCache);
        await using var second = await EngineAsync(secondBackend, secondCache);

        var answered = await first.TryInferAsync(Request(4)).AsTask().WaitAsync(Timeout);
        var key = await written.Next.WaitAsync(Timeout);
        var shared = await second.TryInferAsync(Request(4)).AsTask().WaitAsync(Timeout);

        Assert.Equal(PredictionSources.Model, answered.GetResponseOrThrow().PredictionSource);
        Assert.Equal(PredictionSources.Cache, shared.GetResponseOrThrow().PredictionSource);
        Assert.Equal([4f, 0, 0], shared.GetResponseOrThrow()["y"].ToArray<float>());
        Assert.Empty(secondBackend.Model("m").Calls);
        Assert.True(await _redis.Db.KeyExistsAsync(key));
    }

    [Fact]
    public async Task Killing_redis_mid_run_fails_no_request_and_counts_the_failures()
    {
        using var cache = ServeCache.Open(new ServeSettings { Cache = _redis.Configuration });
        await cache.Connecting.WaitAsync(Timeout);
        await using var engine = await EngineAsync(new FakeBackend(), cache);
        using var counters = new Counters(engine.Meter);
        var failed = new ConcurrentQueue<string>();
        using var progress = new SemaphoreSlim(0);
        using var stop = new CancellationTokenSource();
        var next = 0;

        // Four clients, each request new (so each one asks Redis), until the test has seen enough after the kill.
        var clients = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var result = await engine.TryInferAsync(Request(Interlocked.Increment(ref next))).AsTask().WaitAsync(Timeout);
                if (!result.IsSuccess)
                {
                    failed.Enqueue(result.Error.ToString());
                }

                progress.Release();
            }
        })).ToArray();

        await Answered(20);
        await _redis.StopAsync();
        await Answered(40);
        await stop.CancelAsync();
        await Task.WhenAll(clients).WaitAsync(Timeout);

        Assert.Empty(failed);
        Assert.Equal(0, counters.Sum("augur.cache.distributed.failures", "reason", "invalid"));
        Assert.True(counters.Sum("augur.cache.distributed.failures") >= 1, "no failure of the dead Redis was counted");
        Assert.Equal(Volatile.Read(ref next), counters.Sum("augur.cache.misses"));

        async Task Answered(int count)
        {
            for (var i = 0; i < count; i++)
            {
                Assert.True(await progress.WaitAsync(Timeout));
            }
        }
    }

    [Fact]
    public async Task A_redis_that_accepts_and_never_answers_delays_a_request_by_the_bounded_wait_only()
    {
        // A listener that takes every connection and never writes a byte: the client's handshake and commands hang.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new ConcurrentQueue<Socket>();
        using var stop = new CancellationTokenSource();
        var acceptLoop = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                accepted.Enqueue(await silent.AcceptSocketAsync(stop.Token));
            }
        });
        var bounded = TimeSpan.FromMilliseconds(41);
        var clock = new TimerWatchingClock(bounded);
        var settings = new ServeSettings { Cache = $"redis://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}", CacheTimeoutMilliseconds = bounded.TotalMilliseconds };

        try
        {
            using var cache = ServeCache.Open(settings);
            await using var engine = await EngineAsync(new FakeBackend(), cache, clock);
            using var counters = new Counters(engine.Meter);

            var waiting = engine.TryInferAsync(Request(1)).AsTask();
            await clock.NextTimerAsync();
            Assert.False(waiting.IsCompleted);
            clock.Advance(bounded);
            var served = await waiting.WaitAsync(Timeout);

            Assert.Equal(PredictionSources.Model, served.GetResponseOrThrow().PredictionSource);
            Assert.Equal(1, counters.Sum("augur.cache.distributed.failures", "reason", "timeout"));
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await acceptLoop.WaitAsync(Timeout);
            }
            catch (OperationCanceledException)
            {
                // The accept that was waiting when the loop stopped.
            }

            foreach (var socket in accepted)
            {
                socket.Dispose();
            }
        }
    }

    /// <summary>Passes every call on and reports each write that finished, so a test knows an entry reached Redis.</summary>
    private sealed class WriteSignal(IDistributedCache inner) : IDistributedCache
    {
        private readonly System.Threading.Channels.Channel<string> _written = System.Threading.Channels.Channel.CreateUnbounded<string>();

        public Task<string> Next => _written.Reader.ReadAsync().AsTask();

        public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
        {
            await inner.SetAsync(key, value, options, token);
            _written.Writer.TryWrite(key);
        }

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => inner.GetAsync(key, token);

        public Task RefreshAsync(string key, CancellationToken token = default) => inner.RefreshAsync(key, token);

        public Task RemoveAsync(string key, CancellationToken token = default) => inner.RemoveAsync(key, token);

        public byte[]? Get(string key) => inner.Get(key);

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => inner.Set(key, value, options);

        public void Refresh(string key) => inner.Refresh(key);

        public void Remove(string key) => inner.Remove(key);
    }

    /// <summary>The counters of one engine's meter (each engine built without a meter factory has its own).</summary>
    private sealed class Counters : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(string Name, long Value, Dictionary<string, string?> Tags)> _recorded = new();

        public Counters(Meter meter)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, meter))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                var copy = new Dictionary<string, string?>();
                foreach (var tag in tags)
                {
                    copy[tag.Key] = tag.Value?.ToString();
                }

                _recorded.Enqueue((instrument.Name, value, copy));
            });
            _listener.Start();
        }

        public long Sum(string instrument, string? tag = null, string? value = null) =>
            _recorded.Where(r => r.Name == instrument && (tag is null || (r.Tags.TryGetValue(tag, out var v) && v == value))).Sum(r => r.Value);

        public void Dispose() => _listener.Dispose();
    }
}
