using System.Net;
using Augur.Batch.Storage;
using Augur.Testing.Fakes;
using Microsoft.Data.Sqlite;

namespace Augur.Server.Tests;

/// <summary><c>GET /v2/models/{model}/predictions/{key}</c> against a SQLite prediction store written the way a batch job writes it.</summary>
public sealed class PredictionRouteTests
{
    [Fact]
    public async Task Stored_keys_answer_200_unknown_keys_404_and_bad_keys_400()
    {
        var folder = Directory.CreateTempSubdirectory("augur-predictions-").FullName;
        try
        {
            StoreLocation.TryParse(Path.Combine(folder, "preds.db"), out var location, out _);
            await using var store = await PredictionStore.OpenAsync(location);
            var lease = (await store.TryAcquireLeaseAsync("job-1", 0, "test", TimeSpan.FromMinutes(1))).Lease!;
            await store.BeginShardAsync(new ShardIdentity("job-1", 0, 1, "fraud", "in.csv", 10), DateTimeOffset.UnixEpoch);
            Assert.True(await store.CommitChunkAsync(lease, "fraud",
                new ChunkResult(0, [new PredictedRow(0, "tx 42/ü", """{"id":"tx 42/ü"}""", """{"probability":[0.25]}""", "1")], []), DateTimeOffset.UnixEpoch));
            await using var engine = await new InferenceEngineBuilder().UseModelRepository(new TempRepository().Path).AddBackend(new FakeBackend()).BuildAsync();
            await using var app = AugurHost.Create(engine, IPAddress.Loopback, 0, o => o.PredictionStore = store);
            using var client = new HttpClient { BaseAddress = await AugurHost.StartAsync(app), Timeout = ServerFixture.Timeout };

            var found = await client.GetAsync("/v2/models/fraud/predictions?key=" + Uri.EscapeDataString("tx 42/ü"));
            Assert.Equal(HttpStatusCode.OK, found.StatusCode);
            Assert.Equal(
                """{"model_name":"fraud","model_version":"1","key":"tx 42/\u00FC","job_id":"job-1","row_id":0,"created_at":"1970-01-01T00:00:00.0000000Z","inputs":{"id":"tx 42/ü"},"outputs":{"probability":[0.25]}}""",
                await found.Content.ReadAsStringAsync());

            var otherModel = await client.GetAsync("/v2/models/ranker/predictions/tx%2042");
            Assert.Equal(HttpStatusCode.NotFound, otherModel.StatusCode);
            Assert.Equal("""{"error":"no stored prediction of model 'ranker' for key 'tx 42'"}""", await otherModel.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/v2/models/fraud/predictions/%0A")).StatusCode); // the path guard
            Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/v2/models/fraud/predictions/tx%2F42")).StatusCode); // the path guard: use ?key=
            Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/v2/models/fraud/predictions?key=%0A")).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/v2/models/fraud/predictions?key=")).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/v2/models/fraud/predictions/" + new string('x', 1025))).StatusCode);
            await app.StopAsync();
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_store_that_cannot_be_reached_answers_503_naming_it()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"augur-missing-{Guid.NewGuid():N}", "preds.db");
        await using var store = Augur.Batch.Precomputed.PrecomputedStores.Open(missing);
        await using var engine = await new InferenceEngineBuilder().UseModelRepository(new TempRepository().Path).AddBackend(new FakeBackend()).BuildAsync();
        await using var app = AugurHost.Create(engine, IPAddress.Loopback, 0, o => o.PredictionStore = store);
        using var client = new HttpClient { BaseAddress = await AugurHost.StartAsync(app), Timeout = ServerFixture.Timeout };

        var response = await client.GetAsync("/v2/models/fraud/predictions/k1");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.StartsWith($$"""{"error":"the prediction store '{{missing}}' cannot be opened: """, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await app.StopAsync();
    }

    [Fact]
    public async Task A_server_without_a_store_answers_404_saying_so()
    {
        await using var engine = await new InferenceEngineBuilder().UseModelRepository(new TempRepository().Path).AddBackend(new FakeBackend()).BuildAsync();
        await using var app = AugurHost.Create(engine, IPAddress.Loopback, 0);
        using var client = new HttpClient { BaseAddress = await AugurHost.StartAsync(app), Timeout = ServerFixture.Timeout };

        var response = await client.GetAsync("/v2/models/fraud/predictions/k1");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("""{"error":"this server has no prediction store (augur serve --prediction-store DB)"}""", await response.Content.ReadAsStringAsync());
        await app.StopAsync();
    }
}
