using System.Buffers;
using System.ComponentModel;
using System.Runtime.InteropServices;
using Augur.Caching;
using Augur.Diagnostics;
using Augur.Inference;
using Augur.Models;
using Augur.Scheduling;
using Augur.Stages;
using Augur.Tensors;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Augur.Benchmarks;

/// <summary>
/// The response cache's hit path in isolation (no engine, no door): the stage as the engine runs it (key hash, the
/// hand-written byte-bounded LRU, the key comparison), against the same key work followed by a HybridCache lookup of an
/// immutable entry (its L1 is a MemoryCache with a size limit, as a byte bound would need), and against the key work alone.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class ResponseCacheHitBenchmarks
{
    private static readonly byte[] Version = MemoryMarshal.AsBytes("bench\n1\nFINGERPRINT".AsSpan()).ToArray();

    private ResponseCacheStage _stage = null!;
    private RequestContext _context = null!;
    private RequestHandler _next = null!;
    private InferenceRequest _request = null!;
    private ModelSignature _signature = null!;
    private HybridCache _hybrid = null!;
    private ServiceProvider _services = null!;
    private EngineMetrics _metrics = null!;

    /// <summary>Bytes of the request's one input: a fraud-like row of 8 floats, and a 64 KiB tensor.</summary>
    [Params(32, 65536)]
    public int InputBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var elements = InputBytes / 4;
        _signature = new ModelSignature([new TensorSpec("x", DataType.Fp32, [-1, elements])], [new TensorSpec("y", DataType.Fp32, [-1, 1])]);
        _request = new InferenceRequest("bench", [InferenceTensor.Create("x", Enumerable.Range(0, elements).Select(i => (float)i).ToArray(), 1, elements)]);
        var answer = new ExecutionOutcome([InferenceTensor.Create("y", new[] { 0.5f }, 1, 1)], null, default);
        _next = _ => new ValueTask<ExecutionOutcome>(answer);

        _metrics = new EngineMetrics(null);
        var options = new ResponseCacheOptions().Validated();
        var cache = new ResponseCache(options, _metrics, TimeProvider.System, NullLoggerFactory.Instance);
        var config = ModelConfig.Empty with { ResponseCache = new ResponseCacheConfig(true) };
        _stage = new ResponseCacheStage(cache, new StageSite("bench", 1, "FINGERPRINT", _signature, 8, config, TimeProvider.System, _metrics, NullLoggerFactory.Instance), TimeSpan.FromHours(1));
        // The stage reads only the request, arrival and token of its context.
        _context = new RequestContext(_request, null!, 0, CancellationToken.None);
        if (_stage.InvokeAsync(_context, _next).Result.Source is not null)
        {
            throw new InvalidOperationException("the first request should miss");
        }

        var services = new ServiceCollection();
        services.AddSingleton<IMemoryCache>(new MemoryCache(new MemoryCacheOptions { SizeLimit = ResponseCacheOptions.DefaultSizeBytes }));
        services.AddHybridCache().AddSerializer(new AnswerSerializer());
        _services = services.BuildServiceProvider();
        _hybrid = _services.GetRequiredService<HybridCache>();
        var material = HybridKey(out var key);
        _ = _hybrid.GetOrCreateAsync(key, (material, answer.Outputs!), static (state, _) => ValueTask.FromResult(new Answer(state.material, state.Item2))).AsTask().Result;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stage.Dispose();
        _services.Dispose();
        _metrics.Dispose();
    }

    [Benchmark(Baseline = true, Description = "key only (order, XxHash128)")]
    public UInt128 KeyOnly()
    {
        Span<int> order = stackalloc int[_request.Inputs.Count];
        RequestKey.Order(_request.Inputs, order);
        return RequestKey.Hash(Version, _request, order, _signature);
    }

    [Benchmark(Description = "stage hit (hand-written LRU)")]
    public object? StageHit()
    {
        var outcome = _stage.InvokeAsync(_context, _next);
        return outcome.IsCompletedSuccessfully ? outcome.Result.Outputs : throw new InvalidOperationException("a hit completes synchronously");
    }

    [Benchmark(Description = "key + HybridCache hit")]
    public bool HybridHit()
    {
        Span<int> order = stackalloc int[_request.Inputs.Count];
        RequestKey.Order(_request.Inputs, order);
        var key = RequestKey.Hash(Version, _request, order, _signature).ToString("X32", System.Globalization.CultureInfo.InvariantCulture);
        var lookup = _hybrid.GetOrCreateAsync(key, static _ => ValueTask.FromResult<Answer>(null!));
        var answer = lookup.IsCompletedSuccessfully ? lookup.Result : throw new InvalidOperationException("a hit completes synchronously");
        return RequestKey.Matches(answer.Material, _request, order, _signature);
    }

    private byte[] HybridKey(out string key)
    {
        var order = new int[_request.Inputs.Count];
        RequestKey.Order(_request.Inputs, order);
        key = RequestKey.Hash(Version, _request, order, _signature).ToString("X32", System.Globalization.CultureInfo.InvariantCulture);
        return RequestKey.Material(_request, order, _signature);
    }

    /// <summary>What a HybridCache entry would hold; immutable (and sealed), so a hit returns the instance without deserializing it.</summary>
    [ImmutableObject(true)]
    public sealed class Answer(byte[] material, IReadOnlyList<InferenceTensor> outputs)
    {
        public byte[] Material { get; } = material;

        public IReadOnlyList<InferenceTensor> Outputs { get; } = outputs;
    }

    private sealed class AnswerSerializer : IHybridCacheSerializer<Answer>
    {
        public Answer Deserialize(ReadOnlySequence<byte> source)
        {
            var payload = source.ToArray();
            return CachePayload.TryRead(payload, Version, [new TensorSpec("y", DataType.Fp32, [-1, 1])], out var contents, out var problem)
                ? new Answer(contents.Material.ToArray(), contents.Outputs)
                : throw new InvalidDataException(problem);
        }

        public void Serialize(Answer value, IBufferWriter<byte> target) => target.Write(CachePayload.Build(Version, value.Material, value.Outputs));
    }
}
