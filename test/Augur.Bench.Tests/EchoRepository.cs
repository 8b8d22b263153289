using Augur.Tensors;
using Augur.Testing;

namespace Augur.Bench.Tests;

/// <summary>
/// An engine over ONNX Runtime serving <c>echo</c>, an Identity model of FP32 [-1, 16], from a temporary repository;
/// disposing stops it and deletes the repository.
/// </summary>
internal sealed class EchoRepository : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private EchoRepository(string folder, InferenceEngine engine)
    {
        Folder = folder;
        Engine = engine;
    }

    public string Folder { get; }

    public InferenceEngine Engine { get; }

    public static async Task<EchoRepository> StartAsync()
    {
        var folder = Directory.CreateTempSubdirectory("augur-bench-echo-").FullName;
        TestModels.WriteModel(Path.Combine(folder, "models"), "echo", TestModels.Identity(DataType.Fp32, -1, 16));
        using var startup = new CancellationTokenSource(Timeout);
        var engine = await new InferenceEngineBuilder().UseModelRepository(Path.Combine(folder, "models")).UseOnnxRuntime().BuildAsync(startup.Token);
        return new EchoRepository(folder, engine);
    }

    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }
}
