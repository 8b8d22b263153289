using System.Net;
using Augur.Bench.Scenarios;
using Augur.Bench.Targets;
using Augur.Bench.Timing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Augur.Bench.Tests;

/// <summary>
/// The REST target against a Kestrel endpoint on 127.0.0.1, port 0, that answers its n-th infer request (from 0) by n
/// mod 4: 503 with Retry-After, 429 with Retry-After, then 200 twice.
/// </summary>
public sealed class HttpStatusTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private const string Answer = """{"model_name":"m","outputs":[],"parameters":{"prediction_source":"model"}}""";
    private WebApplication _app = null!;
    private Uri _url = null!;
    private int _requests = -1;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/v2/models/{model}/infer", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            switch (Interlocked.Increment(ref _requests) % 4)
            {
                case 0:
                    context.Response.Headers.RetryAfter = "1";
                    return Results.Json(new { error = "queue full" }, statusCode: 503);
                case 1:
                    context.Response.Headers.RetryAfter = "2";
                    return Results.Json(new { error = "too many requests" }, statusCode: 429);
                default:
                    return Results.Text(Answer, "application/json");
            }
        });
        using var startup = new CancellationTokenSource(Timeout);
        await _app.StartAsync(startup.Token);
        _url = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
    }

    public async Task DisposeAsync()
    {
        using (var shutdown = new CancellationTokenSource(Timeout))
        {
            await _app.StopAsync(shutdown.Token);
        }

        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Each_answer_is_classed_by_its_status_code_and_a_refusal_names_its_Retry_After()
    {
        await using var target = new HttpTarget(_url, "m", null, binary: false, connections: 1);
        var query = target.PrepareRequestBody("""{"inputs":[]}"""u8.ToArray());
        var outcomes = new List<QueryOutcome>();
        for (var i = 0; i < 4; i++)
        {
            outcomes.Add(await target.SendAsync(query, CancellationToken.None).AsTask().WaitAsync(Timeout));
        }

        Assert.Equal(["503", "429", "200", "200"], outcomes.Select(o => o.Status));
        Assert.Equal([true, true, false, false], outcomes.Select(o => o.IsRefusal));
        Assert.Equal("""HTTP 503 (Retry-After: 1): {"error":"queue full"}""", outcomes[0].Error);
        Assert.Equal("""HTTP 429 (Retry-After: 2): {"error":"too many requests"}""", outcomes[1].Error);
        Assert.Equal((null, "model"), (outcomes[2].Error, outcomes[2].Source));
    }

    [Fact]
    public async Task A_run_counts_the_refusals_of_a_real_server_apart_from_its_successes()
    {
        await using var target = new HttpTarget(_url, "m", null, binary: false, connections: 1);
        var prepared = new FixedQueryTarget(target, target.PrepareRequestBody("""{"inputs":[]}"""u8.ToArray()));
        // One query at a time until 20 have succeeded: the server's order is the issue order, so the counts are exact.
        var settings = new ScenarioSettings(Scenario.SingleStream) { MinDuration = TimeSpan.Zero, MinQueryCount = 20 };
        var result = await new ScenarioRunner(SystemClock.Instance).RunAsync(settings, prepared).WaitAsync(Timeout);

        Assert.Equal([new("200", 20), new("429", 10), new("503", 10)], result.Statuses.ToArray());
        Assert.Equal((20, 20, 20), (result.Queries, result.Errors, result.Refusals));
        Assert.Equal(20, result.SuccessLatency!.Count);
        Assert.Equal(20, result.RefusalLatency!.Count);
        Assert.Equal(40, result.AllLatency!.Count);
        Assert.StartsWith("HTTP 503 (Retry-After: 1): ", result.FirstError, StringComparison.Ordinal);
    }

    /// <summary>Sends one prepared query each time.</summary>
    private sealed class FixedQueryTarget(IBenchTarget target, object query) : ILoadTarget
    {
        public ValueTask<QueryOutcome> IssueAsync(int samples, CancellationToken cancellationToken) => target.SendAsync(query, cancellationToken);
    }
}
