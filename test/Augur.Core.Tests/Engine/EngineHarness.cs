using Augur.Errors;
using Augur.Inference;
using Augur.Models;
using Augur.Tensors;
using Augur.Testing.Fakes;

namespace Augur.Core.Tests.Engine;

/// <summary>Shared helpers for engine tests: bounded awaits, signatures and requests.</summary>
internal static class EngineHarness
{
    /// <summary>Every await in these tests is bounded by this; a hang fails the test instead of the run.</summary>
    public static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>A config.json that turns warm-up off, so backends that misbehave on purpose still load.</summary>
    public const string NoWarmup = """{"warmup": {"iterations": 0}}""";

    public static Task<InferenceEngine> BuildAsync(TempRepository repository, FakeBackend backend, TimeProvider? time = null)
    {
        var builder = new InferenceEngineBuilder().UseModelRepository(repository.Path).AddBackend(backend);
        if (time is not null)
        {
            builder.UseTimeProvider(time);
        }

        return builder.BuildAsync().WaitAsync(TestTimeout);
    }

    public static Task<InferenceResult> Infer(this InferenceEngine engine, InferenceRequest request, CancellationToken cancellationToken = default) =>
        engine.TryInferAsync(request, cancellationToken).AsTask().WaitAsync(TestTimeout);

    public static async Task<InferenceError> InferError(this InferenceEngine engine, InferenceRequest request)
    {
        var result = await engine.Infer(request);
        Assert.False(result.IsSuccess, "the request was expected to fail");
        return result.Error;
    }

    public static async Task<InferenceResponse> InferOk(this InferenceEngine engine, InferenceRequest request)
    {
        var result = await engine.Infer(request);
        Assert.True(result.IsSuccess, result.Error?.ToString());
        return result.Response;
    }

    /// <summary>Identity: input "x" FP32 [-1,3] echoed as "y".</summary>
    public static FakeModelSpec Echo() => FakeModelSpec.Identity("x", "y", DataType.Fp32, -1, 3);

    public static ModelSignature EchoSignature => Echo().Signature;

    public static InferenceRequest EchoRequest(string model = "echo", int batch = 1, string? version = null, string? id = null) =>
        new(model, [InferenceTensor.Create("x", Enumerable.Range(0, batch * 3).Select(i => (float)i).ToArray(), batch, 3)])
        {
            ModelVersion = version,
            Id = id,
        };

    public static ModelMetadata Metadata(this InferenceEngine engine, string model, string? version = null)
    {
        Assert.True(engine.TryGetMetadata(model, version, out var metadata, out var error), error?.ToString());
        Assert.Null(error);
        return metadata;
    }

    public static ModelStatus Status(this InferenceEngine engine, string model) =>
        Assert.Single(engine.Models, m => m.Name == model);

    public static string Shapes(IEnumerable<TensorSpec> tensors) => string.Join(" ", tensors.Select(t => t.ToString()));
}
