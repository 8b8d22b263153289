using Augur.OnnxRuntime.Samples;
using static Augur.Streams.Tests.StreamHarness;

namespace Augur.Streams.Tests;

/// <summary><c>augur stream</c> processes killed and replaced: every message still gets exactly one output.</summary>
public sealed class StreamCrashTests(RedisServer redis, Xunit.Abstractions.ITestOutputHelper log) : IClassFixture<RedisServer>, IDisposable
{
    // The first process batches 8 messages and waits up to 10 minutes for a full batch, so of 8·25 + 5 messages it
    // answers exactly 200 and holds the last 5 in flight for as long as the test needs: the moment it is killed, it
    // has answered some messages, holds others, and cannot have finished, however fast or slow the machine.
    private const int BatchSize = 8;
    private const int Held = 5;
    private const int Messages = (25 * BatchSize) + Held;
    private readonly string _repository = CopySamples(SampleModels.Fraud);
    private readonly string _batchingRepository = BatchingRepository();

    public void Dispose()
    {
        Directory.Delete(_repository, recursive: true);
        Directory.Delete(_batchingRepository, recursive: true);
    }

    private static string BatchingRepository()
    {
        var repository = CopySamples(SampleModels.Fraud);
        File.WriteAllText(
            Path.Combine(repository, SampleModels.Fraud, "config.json"),
            $$$"""{"max_batch_size": {{{BatchSize}}}, "dynamic_batching": {"max_queue_delay_microseconds": 600000000}}""");
        return repository;
    }

    private StreamProcess Start(string consumer, string repository) => new(
        "--model", SampleModels.Fraud, "--redis", redis.Configuration, "--input-stream", "requests", "--output-stream", "predictions", "--group", "scorers",
        "--consumer", consumer, "--max-in-flight", $"{BatchSize}", "--claim-min-idle-ms", $"{(long)ClaimMinIdle.TotalMilliseconds}", "--claim-interval-ms", "100",
        "--model-repository", repository);

    [Fact]
    public async Task Killing_a_consumer_mid_run_loses_and_duplicates_nothing()
    {
        var db = redis.Db;
        var batch = db.CreateBatch();
        var adds = Enumerable.Range(0, Messages).Select(i => batch.StreamAddAsync("requests", "body", FraudBody(i))).ToArray();
        batch.Execute();
        var ids = (await Task.WhenAll(adds)).Select(id => id.ToString()).ToArray();

        var ownConnections = await ClientIdsAsync();
        using (var first = Start("first", _batchingRepository))
        {
            await first.WaitUntilConsumingAsync();
            var firstConnections = (await ClientIdsAsync()).Except(ownConnections).ToArray();
            await WaitUntilAsync(
                async () => await db.StreamLengthAsync("predictions") == Messages - Held && (await db.PendingByConsumerAsync("requests", "scorers")).GetValueOrDefault("first") == Held,
                async () => $"{await db.StreamLengthAsync("predictions")} outputs, {await db.PendingAsync("requests", "scorers")} pending\n{first.Output}");
            first.KillHard();

            // A command the process sent just before it died could still run until Redis has dropped its connections.
            await WaitUntilAsync(async () => !(await ClientIdsAsync()).Intersect(firstConnections).Any(), () => Task.FromResult("the killed process is still connected"));
        }

        log.WriteLine($"killed after {Messages - Held} outputs with {Held} messages held");
        Assert.Equal(Messages - Held, await db.StreamLengthAsync("predictions"));
        Assert.Equal(new Dictionary<string, int> { ["first"] = Held }, await db.PendingByConsumerAsync("requests", "scorers"));

        // The second process is started as if long after the crash: it takes the dead one's messages at once.
        await db.BackdatePendingAsync("requests", "scorers");
        using var second = Start("second", _repository);
        await second.WaitUntilConsumingAsync();
        var outputs = await db.WaitForEntriesAsync("predictions", Messages);
        Assert.Equal(0, await second.TerminateAsync());

        // After a clean stop nothing is pending, and no late duplicate arrived.
        Assert.Equal(0, await db.PendingAsync("requests", "scorers"));
        outputs = await db.StreamRangeAsync("predictions");
        var sources = outputs.Select(o => o.Field("source_id")).ToArray();
        Assert.Equal(ids.Order(), sources.Order());
        Assert.All(outputs, o => Assert.True(o["error"].IsNull, o.Field("error")));
        Assert.Equal(0, await db.StreamLengthAsync("requests:dead"));
        Assert.Contains($"Claimed {Held} pending messages", second.Output);
        Assert.Contains($"Stopped after {Held} messages", second.Output);
    }

    private async Task<long[]> ClientIdsAsync() => (await redis.Server.ClientListAsync()).Select(c => c.Id).ToArray();
}
