using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Augur.Server.Tests.Lifecycle;

/// <summary>Twenty version swaps through the REST load endpoint under a steady stream of HTTP requests.</summary>
public sealed class HotSwapHttpTests
{
    [Fact]
    public async Task Twenty_swaps_under_load_give_no_non_2xx_and_each_response_names_one_version()
    {
        await using var server = await LifecycleServer.StartAsync(s => s.AddEcho("m"), configure: o => o.Security.AllowAdminWithoutKey = true);
        using var stop = new CancellationTokenSource();
        using var progress = new SemaphoreSlim(0);
        var failures = new ConcurrentQueue<string>();
        var versions = new ConcurrentDictionary<long, int>();
        var clients = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var (status, body, response) = await server.SendAsync(HttpMethod.Post, "/v2/models/m/infer");
                response.Dispose();
                if (status != 200)
                {
                    failures.Enqueue($"{status} {body}");
                    continue;
                }

                var version = JsonNode.Parse(body)!["model_version"]!.GetValue<string>();
                versions.AddOrUpdate(long.Parse(version, CultureInfo.InvariantCulture), 1, (_, n) => n + 1);
                progress.Release();
            }
        })).ToArray();

        for (var version = 2; version <= 21; version++)
        {
            for (var i = 0; i < 5; i++)
            {
                Assert.True(await progress.WaitAsync(ServerFixture.Timeout));
            }

            server.Repository.AddModel("m", version);
            var load = await server.SendAsync(HttpMethod.Post, "/v2/repository/models/m/load", content: new StringContent(""));
            Assert.Equal(200, load.Status);
        }

        // Answers counted before the last load may still be waiting in the semaphore: wait for one from version 21
        // itself, which every request sent after the load returned gets.
        while (!versions.ContainsKey(21))
        {
            Assert.True(await progress.WaitAsync(ServerFixture.Timeout));
        }

        await stop.CancelAsync();
        await Task.WhenAll(clients).WaitAsync(ServerFixture.Timeout);

        Assert.Empty(failures);
        Assert.All(versions.Keys, v => Assert.InRange(v, 1, 21));
        Assert.True(versions.ContainsKey(21));
        Assert.Equal(0, server.Engine.RetiringVersions);
    }
}
