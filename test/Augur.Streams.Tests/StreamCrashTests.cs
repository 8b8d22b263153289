using Augur.OnnxRuntime.Samples;
using static Augur.Streams.Tests.StreamHarness;

namespace Augur.Streams.Tests;

/// <summary><c>augur stream</c> processes killed and replaced: every message still gets exactly one output.</summary>
public sealed class StreamCrashTests(RedisServer redis, Xunit.Abstractions.ITestOutputHelper log) : IClassFixture<RedisServer>, IDisposable
{
    private const int Messages = 3000;
    private readonly string _repository = CopySamples(SampleModels.Fraud);

    public void Dispose() => Directory.Delete(_repository, recursive: true);

    private StreamProcess Start(string consumer) => new(
        "--model", SampleModels.Fraud, "--redis", redis.Url, "--input-stream", "requests", "--output-stream", "predictions", "--group", "scorers",
        "--consumer", consumer, "--max-in-flight", "8", "--claim-min-idle-ms", "300", "--claim-interval-ms", "100", "--model-repository", _repository);

    [Fact]
    public async Task Killing_a_consumer_mid_run_loses_and_duplicates_nothing()
    {
        var db = redis.Db;
        var ids = new List<string>();
        var batch = db.CreateBatch();
        var adds = Enumerable.Range(0, Messages).Select(i => batch.StreamAddAsync("requests", "body", FraudBody(i))).ToArray();
        batch.Execute();
        ids.AddRange((await Task.WhenAll(adds)).Select(id => id.ToString()));

        using (var first = Start("first"))
        {
            await first.WaitUntilConsumingAsync();
            await db.WaitForEntriesAsync("predictions", 200);
            first.KillHard();
        }

        var done = await db.StreamLengthAsync("predictions");
        var orphaned = await db.PendingAsync("requests", "scorers");
        log.WriteLine($"killed after {done} outputs with {orphaned} messages pending");
        Assert.True(done < Messages, $"the first consumer finished all {Messages} messages before it was killed; nothing was tested");

        using var second = Start("second");
        await second.WaitUntilConsumingAsync();
        var outputs = await db.WaitForEntriesAsync("predictions", Messages);
        Assert.Equal(0, await second.TerminateAsync());

        // After a clean stop nothing is pending, and no late duplicate arrived.
        Assert.Equal(0, await db.PendingAsync("requests", "scorers"));
        outputs = await db.StreamRangeAsync("predictions");
        var sources = outputs.Select(o => o.Field("source_id")).ToArray();
        Assert.Equal(Messages, sources.Length);
        Assert.Equal(ids.Order(), sources.Order());
        Assert.All(outputs, o => Assert.True(o["error"].IsNull, o.Field("error")));
        Assert.Equal(0, await db.StreamLengthAsync("requests:dead"));
        Assert.Contains("Stopped after", second.Output);

        // The killed consumer left messages pending (read, not answered) that the second one claimed.
        Assert.True(orphaned > 0 ? second.Output.Contains("Claimed", StringComparison.Ordinal) : true, second.Output);
    }
}
