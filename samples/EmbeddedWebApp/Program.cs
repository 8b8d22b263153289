using Augur;
using Augur.Server;
using Augur.Server.Lifecycle;
using EmbeddedWebApp;

var builder = WebApplication.CreateBuilder(args);
var repository = builder.Configuration["ModelRepository"] ?? Path.Combine(AppContext.BaseDirectory, "models");
if (!Directory.Exists(repository))
{
    Console.Error.WriteLine($"EmbeddedWebApp: ModelRepository '{repository}' does not exist; give a model repository folder");
    return 2;
}

// Augur's engine is built in this app's container, with its logging, meters and clock, and disposed with it.
builder.Services.AddAugur(engine => engine.UseModelRepository(repository).UseOnnxRuntime());

var app = builder.Build();
app.UseAugurSecurity();
app.MapAugur();          // the Open Inference Protocol: /v2/... (REST) and the gRPC service
ScoreEndpoint.Map(app);  // this app's own API: POST /score

await app.StartAsync();
Console.WriteLine($"EmbeddedWebApp listening on {string.Join(", ", app.Urls)}");

// The models load after start-up: /score and /v2/health/ready answer 503 until they are in.
if (await app.Services.GetRequiredService<EngineStartup>().Loaded)
{
    Console.WriteLine("EmbeddedWebApp models loaded");
}

await app.WaitForShutdownAsync();
return 0;
