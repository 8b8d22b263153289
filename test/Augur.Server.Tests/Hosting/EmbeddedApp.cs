using System.Net;
using System.Text;
using Augur.Server.Lifecycle;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Augur.Server.Tests.Hosting;

/// <summary>
/// A plain ASP.NET Core application that embeds Augur the way a team's own service would: <c>AddAugur(engine =&gt; ...)</c>
/// and <c>MapAugur()</c> beside an endpoint of its own (<c>GET /own</c>), on Kestrel at 127.0.0.1, port 0. Its logs go to a
/// <see cref="FakeLogCollector"/>. Disposing stops and disposes the application (and with it the engine).
/// </summary>
internal sealed class EmbeddedApp : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = ServerFixture.Timeout;

    private EmbeddedApp(WebApplication app)
    {
        App = app;
    }

    public WebApplication App { get; }

    public InferenceEngine Engine => App.Services.GetRequiredService<InferenceEngine>();

    public EngineStartup Startup => App.Services.GetRequiredService<EngineStartup>();

    public FakeLogCollector Logs => App.Services.GetFakeLogCollector();

    public HttpClient Client { get; private set; } = null!;

    public static EmbeddedApp Create(Action<InferenceEngineBuilder> engine, Action<WebApplicationBuilder>? host = null, Action<AugurServerOptions>? server = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Logging.AddFakeLogging();
        host?.Invoke(builder);
        builder.Services.AddAugur(engine, server);
        var app = builder.Build();
        app.MapGet("/own", () => "mine");
        app.MapAugur();
        return new EmbeddedApp(app);
    }

    /// <summary>Starts the application; returns once Kestrel listens (the models may still be loading).</summary>
    public async Task StartAsync()
    {
        await App.StartAsync().WaitAsync(Timeout);
        Client = new HttpClient { BaseAddress = new Uri(App.Urls.Single()), Timeout = Timeout };
    }

    public async Task<(HttpStatusCode Status, string Body)> GetAsync(string path)
    {
        using var response = await Client.GetAsync(path).WaitAsync(Timeout);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task<(HttpStatusCode Status, string Body)> InferAsync(string model, string body)
    {
        using var response = await Client.PostAsync($"/v2/models/{model}/infer", new StringContent(body, Encoding.UTF8, "application/json")).WaitAsync(Timeout);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        using (var shutdown = new CancellationTokenSource(Timeout))
        {
            await App.StopAsync(shutdown.Token);
        }

        await App.DisposeAsync();
    }
}
