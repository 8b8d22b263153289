using System.Net;
using System.Text;

namespace Augur.Samples.Tests;

/// <summary>
/// samples/EmbeddedWebApp, built and run as its own process: an ASP.NET Core app with <c>AddAugur</c>/<c>MapAugur</c>
/// answers its own <c>POST /score</c> and the Open Inference Protocol routes from the one in-process engine.
/// </summary>
public sealed class EmbeddedWebAppTests
{
    private const string Sample = "EmbeddedWebApp";
    private const string Suspicious = """{"id": "tx-42", "amountZScore": 0.3, "foreignMerchant": false, "accountAgeZScore": 0, "recentTransactionsZScore": 0.5, "atNight": true, "cardPresent": false, "distanceFromHomeZScore": 0.5, "merchantRisk": 0.5}""";
    private const string Ordinary = """{"id": "tx-43", "amountZScore": 0.1, "foreignMerchant": false, "accountAgeZScore": 1.2, "recentTransactionsZScore": -0.3, "atNight": false, "cardPresent": true, "distanceFromHomeZScore": -0.2, "merchantRisk": 0.1}""";

    [Fact]
    public async Task The_app_scores_transactions_and_serves_the_open_inference_protocol_from_one_engine()
    {
        using var app = SampleProcess.Start(Sample, "--urls", "http://127.0.0.1:0");
        using var client = new HttpClient { BaseAddress = new Uri(await app.WaitForLineAsync("EmbeddedWebApp listening on ")), Timeout = SampleProcess.Timeout };
        Assert.Equal((HttpStatusCode.OK, """{"live":true}"""), await GetAsync(client, "/v2/health/live"));

        await app.WaitForLineAsync("EmbeddedWebApp models loaded");

        Assert.Equal((HttpStatusCode.OK, """{"ready":true}"""), await GetAsync(client, "/v2/health/ready"));
        Assert.Equal((HttpStatusCode.OK, """{"id":"tx-42","fraudProbability":0.6088,"decision":"review"}"""), await PostAsync(client, "/score", Suspicious));
        Assert.Equal((HttpStatusCode.OK, """{"id":"tx-43","fraudProbability":0,"decision":"approve"}"""), await PostAsync(client, "/score", Ordinary));
        Assert.Equal(
            (HttpStatusCode.OK, """{"model_name":"fraud","model_version":"1","id":"tx-42","outputs":[{"name":"probability","datatype":"FP32","shape":[2,1],"data":[0.6087503,0]},{"name":"label","datatype":"INT64","shape":[2,1],"data":[1,0]}]}"""),
            await PostAsync(client, "/v2/models/fraud/infer", """
                {"id": "tx-42", "inputs": [{"name": "features", "shape": [2, 8], "datatype": "FP32",
                  "data": [[0.3, 0, 0, 0.5, 1, 0, 0.5, 0.5], [0.1, 0, 1.2, -0.3, 0, 1, -0.2, 0.1]]}]}
                """));

        app.Terminate();
        Assert.Equal(0, await app.WaitForExitAsync());
    }

    [Fact]
    public async Task A_bad_transaction_gets_a_400_naming_the_field()
    {
        using var app = SampleProcess.Start(Sample, "--urls", "http://127.0.0.1:0");
        using var client = new HttpClient { BaseAddress = new Uri(await app.WaitForLineAsync("EmbeddedWebApp listening on ")), Timeout = SampleProcess.Timeout };
        await app.WaitForLineAsync("EmbeddedWebApp models loaded");

        Assert.Equal(
            (HttpStatusCode.BadRequest, """{"error":"the body is not a transaction: JSON deserialization for type 'EmbeddedWebApp.Transaction' was missing required properties including: 'merchantRisk'."}"""),
            await PostAsync(client, "/score", Suspicious.Replace(""", "merchantRisk": 0.5""", string.Empty, StringComparison.Ordinal)));
        Assert.Equal(
            (HttpStatusCode.BadRequest, """{"error":"merchantRisk 1.5 must be from 0 to 1"}"""),
            await PostAsync(client, "/score", Suspicious.Replace("\"merchantRisk\": 0.5", "\"merchantRisk\": 1.5", StringComparison.Ordinal)));

        app.Terminate();
        Assert.Equal(0, await app.WaitForExitAsync());
    }

    [Fact]
    public async Task A_model_repository_that_does_not_exist_stops_the_app_with_exit_code_2()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"augur-missing-{Guid.NewGuid():N}");
        using var app = SampleProcess.Start(Sample, "--urls", "http://127.0.0.1:0", "--ModelRepository", missing);

        Assert.Equal(2, await app.WaitForExitAsync());
        Assert.Equal($"EmbeddedWebApp: ModelRepository '{missing}' does not exist; give a model repository folder\n", app.Stderr);
    }

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path).WaitAsync(SampleProcess.Timeout);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<(HttpStatusCode Status, string Body)> PostAsync(HttpClient client, string path, string json)
    {
        using var response = await client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json")).WaitAsync(SampleProcess.Timeout);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
