using Augur.Backends;
using Augur.Inference;
using Augur.Models;
using Augur.OnnxRuntime.Backend;
using Augur.OnnxRuntime.Runtime;
using Augur.OnnxRuntime.Samples;
using Augur.OnnxRuntime.Sharing;
using Augur.OnnxRuntime.Tests.Sharing;
using Augur.Tensors;
using Augur.Testing;
using Augur.Testing.Fakes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Augur.OnnxRuntime.Tests.Runtime;

/// <summary>Sessions on the process's global thread pools and shared CPU arena, each switched per backend and per model.</summary>
public sealed class SharedRuntimeTests : IDisposable
{
    private const string GlobalShared = "thread_pool=global,arena=shared";
    private const string OwnShared = "thread_pool=own,arena=shared";
    private const string GlobalOwn = "thread_pool=global,arena=own";
    private const string OwnOwn = "thread_pool=own,arena=own";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempRepository _repository = new();

    public void Dispose() => _repository.Dispose();

    /// <summary>The sample graphs with one input each, and a request of three rows of fixed values for it.</summary>
    private static readonly (string Model, string Input, long[] Row)[] Samples =
    [
        (SampleModels.Fraud, "features", [FraudData.FeatureCount]),
        (SampleModels.DeliveryEta, "features", [DeliveryData.FeatureCount]),
        (SampleModels.ImageClassifier, "image", [ImageClassifierModel.ImageChannels, ImageClassifierModel.ImageSize, ImageClassifierModel.ImageSize]),
        (SampleModels.Ranker, "features", [RankerModel.Features]),
    ];

    private static InferenceRequest Request(string model, string input, long[] row)
    {
        var width = (int)row.Aggregate(1L, (a, b) => a * b);
        var values = Enumerable.Range(0, 3 * width).Select(i => MathF.Sin(i * 0.37f) * 2).ToArray();
        return new InferenceRequest(model, [InferenceTensor.Create(input, values, [3, .. row])]);
    }

    private void WriteSamples()
    {
        foreach (var (model, _, _) in Samples)
        {
            TestModels.WriteModel(_repository.Path, model, SampleModels.Build(model));
        }
    }

    private async Task<InferenceEngine> ServeAsync(OnnxRuntimeOptions options, GaugeProbe meters, ListLoggerFactory? logs = null)
    {
        var engine = await new InferenceEngineBuilder()
            .UseModelRepository(_repository.Path)
            .AddBackend(new OnnxRuntimeBackend(options))
            .UseMeterFactory(meters)
            .UseLoggerFactory((Microsoft.Extensions.Logging.ILoggerFactory?)logs ?? NullLoggerFactory.Instance)
            .BuildAsync().WaitAsync(Timeout);
        Assert.All(engine.Models, m => Assert.True(m.State == ModelState.Ready, $"{m.Name}: {m.Reason}"));
        return engine;
    }

    private static async Task<int[][]> AnswerAsync(InferenceEngine engine, string model, string input, long[] row)
    {
        var response = await engine.InferAsync(Request(model, input, row)).AsTask().WaitAsync(Timeout);
        return response.Outputs
            .Select(o => o.DataType == DataType.Fp32 ? o.ToArray<float>().Select(BitConverter.SingleToInt32Bits).ToArray() : o.ToArray<long>().Select(v => (int)v).ToArray())
            .ToArray();
    }

    [Fact]
    public async Task The_sample_models_answer_bit_for_bit_alike_with_the_shared_runtime_on_and_off()
    {
        WriteSamples();
        using var onMeters = new GaugeProbe();
        using var offMeters = new GaugeProbe();

        await using (var on = await ServeAsync(new OnnxRuntimeOptions(), onMeters))
        await using (var off = await ServeAsync(new OnnxRuntimeOptions { GlobalThreadPool = false, SharedArena = false, IntraOpThreads = 2 }, offMeters))
        {
            foreach (var (model, input, row) in Samples)
            {
                Assert.Equal(await AnswerAsync(off, model, input, row), await AnswerAsync(on, model, input, row));
            }

            Assert.Equal(Samples.Length, onMeters.ReadTagged("augur.onnxruntime.models")[GlobalShared]);
            Assert.Equal(0, onMeters.ReadTagged("augur.onnxruntime.models")[OwnOwn]);
            Assert.Equal(Samples.Length, offMeters.ReadTagged("augur.onnxruntime.models")[OwnOwn]);
            Assert.Equal(0, offMeters.ReadTagged("augur.onnxruntime.models")[GlobalShared]);
        }

        // Unloaded with their engines.
        Assert.All(onMeters.ReadTagged("augur.onnxruntime.models").Values, count => Assert.Equal(0, count));
        Assert.All(offMeters.ReadTagged("augur.onnxruntime.models").Values, count => Assert.Equal(0, count));
    }

    [Theory]
    [InlineData("{}", true, true, null, GlobalShared)]
    [InlineData("""{"backend_settings": {"onnxruntime": {"global_thread_pool": false}}}""", true, true, null, OwnShared)]
    [InlineData("""{"backend_settings": {"onnxruntime": {"shared_arena": false}}}""", true, true, null, GlobalOwn)]
    [InlineData("""{"backend_settings": {"onnxruntime": {"global_thread_pool": true, "shared_arena": true}}}""", false, false, null, GlobalShared)]
    [InlineData("{}", false, false, null, OwnOwn)]
    [InlineData("""{"backend_settings": {"onnxruntime": {"intra_op_threads": 2}}}""", true, true, null, OwnShared)]
    [InlineData("""{"backend_settings": {"onnxruntime": {"inter_op_threads": 2}}}""", true, true, null, OwnShared)]
    [InlineData("""{"parameters": {"intra_op_threads": "1"}}""", true, true, null, OwnShared)]
    [InlineData("""{"backend_settings": {"onnxruntime": {"global_thread_pool": "no"}}}""", true, true, "backend_settings.onnxruntime.global_thread_pool must be true or false, not \"no\"", null)]
    [InlineData("""{"backend_settings": {"onnxruntime": {"shared_arena": 1}}}""", true, true, "backend_settings.onnxruntime.shared_arena must be true or false, not 1", null)]
    [InlineData("""{"backend_settings": {"onnxruntime": {"global_threadpool": true}}}""", true, true, "unknown setting backend_settings.onnxruntime.global_threadpool; known: intra_op_threads, inter_op_threads, optimize_graph, share_weights, global_thread_pool, shared_arena, share_subplans", null)]
    public async Task A_models_switches_are_read_over_the_backends_and_their_mistakes_named(string config, bool globalThreadPool, bool sharedArena, string? reason, string? counted)
    {
        TestModels.WriteModel(_repository.Path, "fraud", SampleModels.BuildFraud());
        _repository.WriteConfig("fraud", config);
        using var meters = new GaugeProbe();

        await using var engine = await new InferenceEngineBuilder()
            .UseModelRepository(_repository.Path)
            .AddBackend(new OnnxRuntimeBackend(new OnnxRuntimeOptions { GlobalThreadPool = globalThreadPool, SharedArena = sharedArena }))
            .UseMeterFactory(meters)
            .BuildAsync().WaitAsync(Timeout);

        var status = Assert.Single(engine.Models);
        Assert.Equal(reason, status.Versions[0].Reason);
        if (counted is null)
        {
            Assert.Equal(ModelState.Unavailable, status.State);
            return;
        }

        Assert.Equal(ModelState.Ready, status.State);
        var counts = meters.ReadTagged("augur.onnxruntime.models");
        Assert.Equal(new Dictionary<string, long> { [GlobalShared] = 0, [GlobalOwn] = 0, [OwnShared] = 0, [OwnOwn] = 0, [counted] = 1 }, counts);
        Assert.Equal(3, (await AnswerAsync(engine, "fraud", "features", [FraudData.FeatureCount]))[0].Length);
    }

    [Fact]
    public async Task Each_model_logs_where_its_sessions_run_and_allocate()
    {
        TestModels.WriteModel(_repository.Path, "global", SampleModels.BuildFraud());
        TestModels.WriteModel(_repository.Path, "pinned", SampleModels.BuildFraud());
        _repository.WriteConfig("pinned", """{"backend_settings": {"onnxruntime": {"intra_op_threads": 2}}}""");
        TestModels.WriteModel(_repository.Path, "unshared", SampleModels.BuildFraud());
        _repository.WriteConfig("unshared", """{"backend_settings": {"onnxruntime": {"global_thread_pool": false, "shared_arena": false}}}""");
        using var meters = new GaugeProbe();
        var logs = new ListLoggerFactory();

        await using (await ServeAsync(new OnnxRuntimeOptions(), meters, logs))
        {
        }

        var pool = OnnxRuntimeEnvironmentSetup.State.DescribeThreadPool();
        Assert.Equal(
            [
                $"Model global version 1: thread pool global ({pool}); CPU arena shared",
                "Model pinned version 1: thread pool own (2 intra-op, 1 inter-op thread(s): its config.json sets intra_op_threads or inter_op_threads); CPU arena shared",
                "Model unshared version 1: thread pool own (1 intra-op, 1 inter-op thread(s): global_thread_pool is false in config.json or by --global-thread-pool); CPU arena own (shared_arena is false in config.json or by --shared-arena)",
            ],
            logs.Messages.Where(m => m.EventId == 3104).Select(m => m.Message).Order(StringComparer.Ordinal));
        Assert.Equal($"{Environment.ProcessorCount} intra-op and 1 inter-op thread(s), spinning off", pool);
    }

    [Fact]
    public void Options_for_an_environment_that_exists_already_are_logged_as_not_applied_and_the_environment_kept()
    {
        var logs = new ListLoggerFactory();

        var state = OnnxRuntimeEnvironment.Ensure(new OnnxRuntimeOptions { GlobalIntraOpThreads = 7, GlobalThreadPoolSpinning = true }, logs.CreateLogger("test"));
        var same = OnnxRuntimeEnvironment.Ensure(new OnnxRuntimeOptions(), logs.CreateLogger("test"));

        Assert.Same(OnnxRuntimeEnvironmentSetup.State, state);
        Assert.Same(state, same);
        Assert.Equal(
            [$"The ONNX Runtime environment exists already, so these global thread pool options cannot apply: 7 intra-op and 1 inter-op thread(s), spinning on; the process keeps {state.DescribeThreadPool()}"],
            logs.Messages.Where(m => m.EventId == 3103).Select(m => m.Message));
    }

    [Fact]
    public async Task An_environment_created_before_Augurs_gives_sessions_their_own_threads_and_still_a_shared_arena()
    {
        var logs = new ListLoggerFactory();
        var adopted = OnnxRuntimeEnvironment.Adopt(logs.CreateLogger("test"));
        TestModels.WriteModel(_repository.Path, "fraud", SampleModels.BuildFraud());
        var path = Path.Combine(_repository.ModelPath("fraud"), "1", "model.onnx");

        var settings = SessionPlacement.Place(SessionSettings.Resolve(new OnnxRuntimeOptions(), new Dictionary<string, string>()), adopted, out var threadPool, out var arena);
        var model = OnnxModel.Load(new ModelFileBytes(path, File.ReadAllBytes(path)), settings, Context("fraud"), SharedWeights.None);
        await using (var instance = await model.CreateInstanceAsync(0, CancellationToken.None))
        {
            var result = await instance.ExecuteAsync([Request("fraud", "features", [FraudData.FeatureCount])], CancellationToken.None).AsTask().WaitAsync(Timeout);
            Assert.True(result.Error is null, result.Error?.Message);
        }

        await model.DisposeAsync();
        Assert.False(adopted.GlobalThreadPool);
        Assert.True(adopted.SharedArena);
        Assert.False(settings.GlobalThreadPool);
        Assert.True(settings.SharedArena);
        Assert.Equal("own (1 intra-op, 1 inter-op thread(s): the ONNX Runtime environment has no global thread pools)", threadPool);
        Assert.Equal("shared", arena);
        Assert.Equal(
            ["The ONNX Runtime environment was created before Augur's (by the host, a library or a session opened directly), so it has no global thread pools Augur knows of and every session keeps its own; one CPU arena shared by the sessions that ask for it (it keeps what it grows to until the process ends)"],
            logs.Messages.Where(m => m.EventId == 3102).Select(m => m.Message));
    }

    private ModelLoadContext Context(string model) =>
        new(model, 1, Path.Combine(_repository.ModelPath(model), "1"), ModelConfig.Empty, NullLoggerFactory.Instance, TimeProvider.System)
        {
            Backend = OnnxRuntimeBackend.BackendName,
        };
}
