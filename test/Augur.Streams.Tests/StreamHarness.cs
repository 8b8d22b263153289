using System.Text.Json;
using Augur.Testing;
using StackExchange.Redis;

namespace Augur.Streams.Tests;

/// <summary>Sample repositories, messages and bounded waits for the stream tests.</summary>
internal static class StreamHarness
{
    public static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Longer than any test: pending messages are claimed only once a test backdates them (<see cref="BackdatePendingAsync"/>).</summary>
    public static readonly TimeSpan ClaimMinIdle = TimeSpan.FromMinutes(10);

    /// <summary>A temporary repository holding copies of the named committed samples.</summary>
    public static string CopySamples(params string[] models)
    {
        var root = Path.Combine(Path.GetTempPath(), $"augur-stream-repo-{Guid.NewGuid():N}");
        foreach (var model in models)
        {
            var source = Path.Combine(RepositoryPaths.SampleModels, model);
            foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(root, model, Path.GetRelativePath(source, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
        }

        return root;
    }

    public static string FraudBody(int i) =>
        $$"""{"id": "m{{i}}", "inputs": [{"name": "features", "datatype": "FP32", "shape": [1, 8], "data": [{{string.Join(", ", Enumerable.Range(0, 8).Select(k => ((i * 31 + k * 7) % 13 / 13.0).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)))}}]}]}""";

    public static string ReadingBody(float[] reading) =>
        $$"""{"inputs": [{"name": "reading", "datatype": "FP32", "shape": [1, 3], "data": [{{string.Join(", ", reading.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}}]}]}""";

    public static async Task<string> AddAsync(this IDatabase db, string stream, string body, params (string Name, string Value)[] fields)
    {
        NameValueEntry[] entries = [new("body", body), .. fields.Select(f => new NameValueEntry(f.Name, f.Value))];
        return (await db.StreamAddAsync(stream, entries))!;
    }

    /// <summary>Waits (polling Redis, which the test does not control) until <paramref name="stream"/> has <paramref name="count"/> entries.</summary>
    public static async Task<StreamEntry[]> WaitForEntriesAsync(this IDatabase db, string stream, int count)
    {
        var deadline = DateTime.UtcNow + TestTimeout;
        while (await db.StreamLengthAsync(stream) < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"'{stream}' has {await db.StreamLengthAsync(stream)} entries, expected {count}");
            }

            await Task.Delay(10);
        }

        return await db.StreamRangeAsync(stream);
    }

    /// <summary>Waits (polling Redis, which the test does not control) until <paramref name="condition"/> holds; <paramref name="describe"/> says what was seen instead.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, Func<Task<string>> describe)
    {
        var deadline = DateTime.UtcNow + TestTimeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(await describe());
            }

            await Task.Delay(10);
        }
    }

    public static async Task<long> PendingAsync(this IDatabase db, string stream, string group) =>
        (await db.StreamPendingAsync(stream, group)).PendingMessageCount;

    /// <summary>Entries each consumer of <paramref name="group"/> has read and not acknowledged (XPENDING), by name; exact.</summary>
    public static async Task<Dictionary<string, int>> PendingByConsumerAsync(this IDatabase db, string stream, string group) =>
        (await db.StreamPendingAsync(stream, group)).Consumers.ToDictionary(c => c.Name.ToString(), c => c.PendingMessageCount);

    /// <summary>
    /// Makes every pending entry of <paramref name="group"/> look idle for an hour (XCLAIM to the same owner with IDLE and
    /// JUSTID, which keeps its delivery count), as if its consumer had died long ago: a consumer whose claim-min-idle is
    /// below an hour claims it at once. Tests run with a claim-min-idle no test lasts, so nothing is claimed before this
    /// says so, however slow the machine: a message slow to finish is never taken for an orphan.
    /// </summary>
    public static async Task BackdatePendingAsync(this IDatabase db, string stream, string group)
    {
        foreach (var entry in await db.StreamPendingMessagesAsync(stream, group, int.MaxValue, RedisValue.Null))
        {
            await db.ExecuteAsync("XCLAIM", stream, group, entry.ConsumerName, 0, entry.MessageId, "IDLE", (long)TimeSpan.FromHours(1).TotalMilliseconds, "JUSTID");
        }
    }

    public static string Field(this StreamEntry entry, string name) => entry[name].ToString();

    public static JsonElement Json(this StreamEntry entry) => JsonDocument.Parse(entry.Field("body")).RootElement.Clone();
}
