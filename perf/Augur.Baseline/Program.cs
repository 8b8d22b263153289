using Augur.Baseline;

// The naive reference endpoint: a minimal API over ONNX Runtime written the way a .NET user writes it today,
// with no Augur code. Every online benchmark reports Augur as a ratio to this.
var builder = WebApplication.CreateBuilder(args);
// The project template's appsettings.json does this; set in code so it holds from any working directory.
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

var repository = builder.Configuration["model-repository"] ?? ModelSessions.FindSampleRepository();
using var sessions = ModelSessions.Load(repository);
var handler = new InferHandler(sessions.Models);

var app = builder.Build();
app.MapPost("/v2/models/{model}/infer", handler.InferAsync);
app.MapPost("/empty", async (HttpRequest request) =>
{
    await request.Body.CopyToAsync(Stream.Null);
    return Results.Text("""{"model_name":"empty","outputs":[]}""", "application/json");
});

// The empty endpoint on the protocol's route, for load tools that post to {url}/v2/models/{m}/infer (augur bench with
// --url http://HOST:PORT/empty): it reads the body and answers a canned response without running anything.
// --empty-response FILE makes that response a given one, e.g. a captured Augur answer, so both send the same bytes.
var canned = app.Configuration["empty-response"] is { } responseFile
    ? File.ReadAllBytes(responseFile)
    : """{"model_name":"empty","outputs":[]}"""u8.ToArray();
app.MapPost("/empty/v2/models/{model}/infer", async (HttpRequest request) =>
{
    await request.Body.CopyToAsync(Stream.Null);
    return Results.Bytes(canned, "application/json");
});
app.MapGet("/health", () => Results.Ok());
app.Run();
