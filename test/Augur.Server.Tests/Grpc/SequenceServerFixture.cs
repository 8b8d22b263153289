using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Augur.OnnxRuntime.Samples;
using Augur.Tensors;
using Augur.Testing;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;

namespace Augur.Server.Tests.Grpc;

/// <summary>
/// A real Kestrel server (REST and gRPC on 127.0.0.1, port 0) over ONNX Runtime serving the committed pump_monitor sample
/// (implicit_start on), <see cref="Strict"/> (the same model, implicit_start off, at most <see cref="StrictLimit"/>
/// live sequences) and the stateless identity_fp32.
/// </summary>
public sealed class SequenceServerFixture : IAsyncLifetime
{
    public const string Strict = "pump_strict";

    public const int StrictLimit = 2;

    private WebApplication? _app;

    private string Repository { get; } = Path.Combine(Path.GetTempPath(), $"augur-seq-tests-{Guid.NewGuid():N}");

    public InferenceEngine Engine { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var model = File.ReadAllBytes(Path.Combine(RepositoryPaths.SampleModels, SampleModels.PumpMonitor, "1", "model.onnx"));
        TestModels.WriteModel(Repository, SampleModels.PumpMonitor, model);
        File.Copy(Path.Combine(RepositoryPaths.SampleModels, SampleModels.PumpMonitor, "config.json"), Path.Combine(Repository, SampleModels.PumpMonitor, "config.json"));
        TestModels.WriteModel(Repository, Strict, model);
        File.WriteAllText(Path.Combine(Repository, Strict, "config.json"), PumpMonitorModel.Config
            .Replace("\"implicit_start\": true", "\"implicit_start\": false", StringComparison.Ordinal)
            .Replace("\"max_sequences\": 10000", $"\"max_sequences\": {StrictLimit}", StringComparison.Ordinal));
        TestModels.WriteModel(Repository, "identity_fp32", TestModels.Identity(DataType.Fp32, -1, -1));

        using var startup = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        Engine = await new InferenceEngineBuilder().UseModelRepository(Repository).UseOnnxRuntime().BuildAsync(startup.Token);
        _app = AugurHost.Create(Engine, IPAddress.Loopback, 0, grpcPort: 0);
        var address = await AugurHost.StartAsync(_app, startup.Token);
        Client = new HttpClient { BaseAddress = address, Timeout = ServerFixture.Timeout };
        Channel = GrpcChannel.ForAddress(AugurHost.GetGrpcAddress(_app)!);
    }

    /// <summary>Posts a JSON body and reads the whole reply.</summary>
    public async Task<Reply> PostAsync(string path, JsonNode body)
    {
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await Client.PostAsync(path, content);
        return new Reply((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsByteArrayAsync(), null);
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        Channel?.Dispose();
        if (_app is not null)
        {
            using var shutdown = new CancellationTokenSource(ServerFixture.Timeout);
            await _app.StopAsync(shutdown.Token);
            await _app.DisposeAsync();
        }

        if (Engine is not null)
        {
            await Engine.DisposeAsync();
        }

        try
        {
            Directory.Delete(Repository, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
