using System.Text.Json;
using Augur.Batch.Storage;
using Augur.Precomputed;
using Augur.Protocol.Json;
using StackExchange.Redis;

namespace Augur.Batch.Precomputed;

/// <summary>
/// Precomputed predictions in Redis, for lookups that must cost well under a millisecond. Each (model, key) is a hash
/// <c>augur:prediction:{model}:{key}</c> (model names hold no ':', so the name ends at the first one) with one field
/// per model version, whose value is the prediction as <see cref="PredictionJson"/> writes it. A lookup is one
/// <c>HGETALL</c>: the field of the version asked for, or else the newest field. Writes (a published job, an online
/// answer written back) go through one script that keeps the newer of the stored and the new prediction, so publishing
/// an older job never overwrites a newer answer. <c>augur predictions publish</c> fills it from a finished job; a batch
/// job itself writes to SQLite or PostgreSQL, whose transactions make it resumable and exactly once.
/// </summary>
public sealed class RedisPredictionStore : IPrecomputedPredictions
{
    /// <summary>The prefix of every key this store uses.</summary>
    public const string KeyPrefix = "augur:prediction:";

    // KEYS[1] the hash; ARGV: version, value, created_at, ttl seconds (0: none). Returns 1 when written, 0 when the stored
    // prediction of that version is as new or newer. Times are fixed-width UTC ISO 8601 text, so text order is time order.
    private const string WriteNewerScript = """
        local current = redis.call('HGET', KEYS[1], ARGV[1])
        if current then
          local ok, stored = pcall(cjson.decode, current)
          if ok and type(stored) == 'table' and type(stored.created_at) == 'string' and stored.created_at >= ARGV[3] then
            return 0
          end
        end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        if tonumber(ARGV[4]) > 0 then
          redis.call('EXPIRE', KEYS[1], ARGV[4])
        end
        return 1
        """;

    private readonly ConfigurationOptions _configuration;
    private readonly object _gate = new();
    private Task<ConnectionMultiplexer>? _connecting;
    private bool _disposed;

    /// <summary>A store on the server <paramref name="configuration"/> names; it connects on first use.</summary>
    public RedisPredictionStore(ConfigurationOptions configuration, string display)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        _configuration = configuration.Clone();
        _configuration.AbortOnConnectFail = false;

        // A command for a server that is down fails at once instead of waiting in a backlog: the request it is for has
        // a deadline of milliseconds and runs the model instead.
        _configuration.BacklogPolicy = BacklogPolicy.FailFast;

        // The first connect is awaited by the lookups that arrive meanwhile (each within its own timeout); with the
        // client's defaults (5 s, three tries) a server that is down at start-up would hold them for 15 s. After this
        // one try the client keeps reconnecting in the background, and commands fail at once until it is back.
        _configuration.ConnectTimeout = 1000;
        _configuration.ConnectRetry = 1;
        Display = display;
    }

    /// <summary>The server as messages name it (password hidden).</summary>
    public string Display { get; }

    /// <summary>The Redis key of <paramref name="model"/>'s predictions for <paramref name="key"/>.</summary>
    public static RedisKey KeyOf(string model, string key) => KeyPrefix + model + ":" + key;

    /// <inheritdoc />
    public async ValueTask<PrecomputedPrediction?> FindAsync(PrecomputedQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        HashEntry[] entries;
        try
        {
            var db = (await ConnectAsync(cancellationToken).ConfigureAwait(false)).GetDatabase();
            entries = await db.HashGetAllAsync(KeyOf(query.Model, query.Key)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RedisException ex)
        {
            throw new PrecomputedStoreException($"the Redis store {Display} cannot be read: {ex.Message}", ex);
        }

        StoredPrediction? chosen = null;
        foreach (var entry in entries)
        {
            if (!PredictionJson.TryRead(entry.Value.ToString(), out var stored))
            {
                continue; // not ours, or damaged: a lookup goes on with the other versions
            }

            if (query.Version is not null && entry.Name == query.Version)
            {
                chosen = stored;
                break;
            }

            if (chosen is null || string.CompareOrdinal(stored.CreatedAt, chosen.CreatedAt) > 0)
            {
                chosen = stored;
            }
        }

        return chosen is null ? null : PrecomputedRows.From(chosen, query);
    }

    /// <inheritdoc />
    public async ValueTask WriteAsync(PrecomputedWrite write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        var stored = new StoredPrediction(write.Key, PredictionStore.OnlineJobId, 0, write.Model, write.ModelVersion, "{}", RowOutputsJson.Write(write.Outputs, 0, 1), PredictionStore.Format(write.CreatedAt));
        try
        {
            var db = (await ConnectAsync(cancellationToken).ConfigureAwait(false)).GetDatabase();
            await WriteAsync(db, stored, TimeSpan.Zero).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RedisException ex)
        {
            throw new PrecomputedStoreException($"the Redis store {Display} cannot be written: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Copies <paramref name="predictions"/> into the store in one round trip, each unless the store holds a newer one of
    /// its version; with a <paramref name="timeToLive"/> above zero every hash written expires that long after. Returns how
    /// many were written. Idempotent: publishing the same predictions again writes none.
    /// </summary>
    public async Task<int> PublishAsync(IReadOnlyList<StoredPrediction> predictions, TimeSpan timeToLive, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        var db = (await ConnectAsync(cancellationToken).ConfigureAwait(false)).GetDatabase();
        var batch = db.CreateBatch();
        var writes = predictions.Select(p => WriteAsync(batch, p, timeToLive)).ToArray();
        batch.Execute();
        var written = await Task.WhenAll(writes).WaitAsync(cancellationToken).ConfigureAwait(false);
        return written.Count(w => w);
    }

    private static async Task<bool> WriteAsync(IDatabaseAsync db, StoredPrediction prediction, TimeSpan timeToLive)
    {
        var result = await db.ScriptEvaluateAsync(WriteNewerScript, [KeyOf(prediction.Model, prediction.Key)],
            [prediction.ModelVersion, PredictionJson.Write(prediction), prediction.CreatedAt, (long)Math.Ceiling(timeToLive.TotalSeconds)]).ConfigureAwait(false);
        return (long)result == 1;
    }

    private async Task<ConnectionMultiplexer> ConnectAsync(CancellationToken cancellationToken)
    {
        Task<ConnectionMultiplexer> connecting;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);

            // One connection for the store's life, made on first use and not tied to that caller's token. With
            // abortConnect=false it reconnects by itself after the server comes back.
            if (_connecting is null || _connecting.IsFaulted || _connecting.IsCanceled)
            {
                _connecting = ConnectionMultiplexer.ConnectAsync(_configuration);
            }

            connecting = _connecting;
        }

        return await connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Task<ConnectionMultiplexer>? connecting;
        lock (_gate)
        {
            _disposed = true;
            connecting = _connecting;
        }

        if (connecting is not null)
        {
            try
            {
                await (await connecting.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
            }
            catch (RedisException)
            {
                // It never connected: nothing to close.
            }
        }
    }
}
