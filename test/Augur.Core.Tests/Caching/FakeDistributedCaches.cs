using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Caching.Distributed;

namespace Augur.Core.Tests.Caching;

/// <summary>A distributed cache in a dictionary, shared by the engines a test builds; it reports every finished write.</summary>
internal sealed class DictionaryDistributedCache : IDistributedCache
{
    private readonly Channel<string> _written = Channel.CreateUnbounded<string>();

    public ConcurrentDictionary<string, byte[]> Entries { get; } = new();

    public int Gets => Volatile.Read(ref _gets);

    private int _gets;

    /// <summary>The key of the next write to finish.</summary>
    public Task<string> NextWriteAsync() => _written.Reader.ReadAsync().AsTask().WaitAsync(Engine.EngineHarness.TestTimeout);

    public Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        Interlocked.Increment(ref _gets);
        return Task.FromResult(Entries.TryGetValue(key, out var value) ? value : null);
    }

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        Entries[key] = value;
        _written.Writer.TryWrite(key);
        return Task.CompletedTask;
    }

    public byte[]? Get(string key) => throw new NotSupportedException("the engine calls the asynchronous members");

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => throw new NotSupportedException("the engine calls the asynchronous members");

    public void Refresh(string key) => throw new NotSupportedException("the engine calls the asynchronous members");

    public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;

    public void Remove(string key) => throw new NotSupportedException("the engine calls the asynchronous members");

    public Task RemoveAsync(string key, CancellationToken token = default) => Task.CompletedTask;
}

/// <summary>A distributed cache that accepts every call and never finishes one, or that throws on every call.</summary>
internal sealed class BrokenDistributedCache(bool throws) : IDistributedCache
{
    private readonly TaskCompletionSource<byte[]?> _never = new();

    public int Calls => Volatile.Read(ref _calls);

    private int _calls;

    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Call();

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) => Call();

    public Task RefreshAsync(string key, CancellationToken token = default) => Call();

    public Task RemoveAsync(string key, CancellationToken token = default) => Call();

    public byte[]? Get(string key) => Call().Result;

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => Call().Wait();

    public void Refresh(string key) => Call().Wait();

    public void Remove(string key) => Call().Wait();

    private Task<byte[]?> Call()
    {
        Interlocked.Increment(ref _calls);
        return throws ? throw new InvalidOperationException("the distributed cache is down") : _never.Task;
    }
}
