using System.Text;
using System.Text.Json.Nodes;
using Augur.OnnxRuntime.Samples;
using Augur.Tensors;
using Augur.Testing;
using Grpc.Net.Client;

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

    private TestHost? _host;

    private string Repository { get; } = Path.Combine(Path.GetTempPath(), $"augur-seq-tests-{Guid.NewGuid():N}");

    public InferenceEngine Engine => _host!.Engine;

    public HttpClient Client => _host!.Client;

    public GrpcChannel Channel => _host!.Channel;

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

        _host = await TestHost.StartAsync(Repository);
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
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}
