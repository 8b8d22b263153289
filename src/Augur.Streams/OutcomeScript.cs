using StackExchange.Redis;

namespace Augur.Streams;

/// <summary>
/// Writes a message's outcome and acknowledges it in one atomic step, and only while this consumer still owns it.
/// A Lua script runs atomically like MULTI/EXEC (a crash leaves either both the output and the ack or neither), and it
/// can also check the pending entry first: when a consumer that was taken for dead (slow, not dead) had its message
/// claimed by another, its late result is dropped instead of written twice.
/// </summary>
internal static class OutcomeScript
{
    // KEYS: input, output, dead letter. ARGV: group, consumer, message id, number of output field items, output fields...,
    // then the dead-letter fields, if any.
    private const string Source = """
        local pending = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
        if #pending == 0 or pending[1][2] ~= ARGV[2] then
          return 0
        end
        local n = tonumber(ARGV[4])
        redis.call('XADD', KEYS[2], '*', unpack(ARGV, 5, 4 + n))
        if #ARGV > 4 + n then
          redis.call('XADD', KEYS[3], '*', unpack(ARGV, 5 + n, #ARGV))
        end
        redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
        return 1
        """;

    /// <summary>True when written and acknowledged; false when the message is no longer this consumer's.</summary>
    public static async Task<bool> WriteAsync(IDatabase redis, StreamConsumerOptions options, string id, IReadOnlyList<NameValueEntry> output, IReadOnlyList<NameValueEntry>? deadLetter)
    {
        var args = new List<RedisValue>(4 + (2 * output.Count) + (2 * (deadLetter?.Count ?? 0))) { options.Group, options.Consumer, id, 2 * output.Count };
        foreach (var field in output.Concat(deadLetter ?? []))
        {
            args.Add(field.Name.ToString());
            args.Add(field.Value);
        }

        var result = await redis.ScriptEvaluateAsync(Source, [options.InputStream, options.OutputStream, options.EffectiveDeadLetterStream], args.ToArray()).ConfigureAwait(false);
        return (int)result == 1;
    }
}
