using Augur.Backends;
using Augur.Models;
using Augur.OnnxRuntime.Backend;
using Augur.OnnxRuntime.Onnx.Proto;
using Augur.OnnxRuntime.Sharing;
using Augur.Testing;
using Augur.Testing.Fakes;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;

namespace Augur.OnnxRuntime.Tests.Sharing;

/// <summary>Identical initializers of different models are held once by the backend and given to every session.</summary>
public sealed class SharedWeightsTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempRepository _repository = new();

    public void Dispose() => _repository.Dispose();

    private static OnnxRuntimeBackend Backend(bool shareWeights = true) => new(new OnnxRuntimeOptions { ShareWeights = shareWeights });

    private async Task<InferenceEngine> ServeAsync(OnnxRuntimeBackend backend, Action<InferenceEngineBuilder>? configure = null)
    {
        var builder = new InferenceEngineBuilder().UseModelRepository(_repository.Path).AddBackend(backend);
        configure?.Invoke(builder);
        var engine = await builder.BuildAsync().WaitAsync(Timeout);
        Assert.All(engine.Models, m => Assert.True(m.State == ModelState.Ready, $"{m.Name}: {m.Reason}"));
        return engine;
    }

    private void WriteTenant(string name, float[] encoder, int head, int version = 1) =>
        TestModels.WriteModel(_repository.Path, name, TenantModels.Model(encoder, TenantModels.Head(head)), version);

    /// <summary>tenant_a and tenant_b: one encoder (returned), heads 1 and 2.</summary>
    private float[] WriteTwoTenantsOverOneEncoder()
    {
        var encoder = TenantModels.Encoder();
        WriteTenant("tenant_a", encoder, head: 1);
        WriteTenant("tenant_b", encoder, head: 2);
        return encoder;
    }

    private static async Task<int[]> AnswerAsync(InferenceEngine engine, string model) =>
        TenantModels.Bits(await engine.InferAsync(TenantModels.Request(model)).AsTask().WaitAsync(Timeout));

    [Fact]
    public async Task Two_models_with_one_identical_initializer_hold_it_once_and_answer_bit_for_bit_as_without_sharing()
    {
        WriteTwoTenantsOverOneEncoder();
        var shared = Backend();
        var unshared = Backend(shareWeights: false);
        using var meters = new GaugeProbe();
        var logs = new ListLoggerFactory();

        await using (var on = await ServeAsync(shared, b => b.UseMeterFactory(meters).UseLoggerFactory(logs)))
        await using (var off = await ServeAsync(unshared))
        {
            Assert.Equal(new SharedWeightTotals(1, TenantModels.EncoderBytes, TenantModels.EncoderBytes), shared.SharedInitializers.Totals);
            Assert.Equal(default, unshared.SharedInitializers.Totals);
            foreach (var model in new[] { "tenant_a", "tenant_b" })
            {
                Assert.Equal(await AnswerAsync(off, model), await AnswerAsync(on, model));
            }

            Assert.NotEqual(await AnswerAsync(on, "tenant_a"), await AnswerAsync(on, "tenant_b"));
            Assert.Equal(1, meters.Read("augur.onnxruntime.shared_weights"));
            Assert.Equal(TenantModels.EncoderBytes, meters.Read("augur.onnxruntime.shared_weight_bytes"));
            Assert.Equal(TenantModels.EncoderBytes, meters.Read("augur.onnxruntime.shared_weight_saved_bytes"));
        }

        var lines = logs.Messages.Where(m => m.EventId == 3100).Select(m => m.Message).ToArray();
        Assert.Equal(
            [
                "Model tenant_a version 1 shares 0 of its 1 large initializer(s) (0 of 16384 bytes) with the models loaded before it; 1 initializer(s), 16384 bytes, are held once, saving 0 bytes",
                "Model tenant_b version 1 shares 1 of its 1 large initializer(s) (16384 of 16384 bytes) with the models loaded before it; 1 initializer(s), 16384 bytes, are held once, saving 16384 bytes",
            ],
            lines);
        Assert.Equal(default, shared.SharedInitializers.Totals);
    }

    [Fact]
    public async Task Sessions_read_the_shared_value_rather_than_their_own_copy()
    {
        var encoder = TenantModels.Encoder();
        WriteTenant("tenant", encoder, head: 1);
        var path = Path.Combine(_repository.ModelPath("tenant"), "1", "model.onnx");
        var settings = new SessionSettings(IntraOpThreads: 1, InterOpThreads: 1, OptimizeGraph: true, ShareWeights: true);
        var store = new SharedInitializerStore(SharedInitializerStore.DefaultMinimumBytes);
        var plain = OnnxModel.Load(new ModelFileBytes(path, File.ReadAllBytes(path)), settings, Context("tenant"), SharedWeights.None);
        // The store's value under the model's name is twice the file's: y = Relu(x · 2E) · H = 2y.
        var doubled = encoder.Select(v => v * 2).ToArray();
        var data = doubled.SelectMany(BitConverter.GetBytes).ToArray();
        long[] dims = [TenantModels.Width, TenantModels.Width];
        var lease = store.Acquire([new InitializerCandidate("encoder", ShareableInitializers.Key(1, dims, data), Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float, dims, data)]);
        var shared = OnnxModel.Load(new ModelFileBytes(path, File.ReadAllBytes(path)), settings, Context("tenant"), lease);

        await using (var first = await plain.CreateInstanceAsync(0, CancellationToken.None))
        await using (var second = await shared.CreateInstanceAsync(0, CancellationToken.None))
        {
            Assert.Equal((await RunAsync(first, "tenant")).Select(v => v * 2), await RunAsync(second, "tenant"));
        }

        await plain.DisposeAsync();
        await shared.DisposeAsync();
        Assert.Equal(default, store.Totals);
    }

    [Fact]
    public async Task A_model_whose_initializer_differs_by_one_element_shares_nothing()
    {
        var encoder = TenantModels.Encoder();
        var changed = (float[])encoder.Clone();
        changed[1234] += 1f;
        WriteTenant("tenant_a", encoder, head: 1);
        WriteTenant("tenant_b", changed, head: 1);
        var backend = Backend();

        await using var engine = await ServeAsync(backend);

        Assert.Equal(new SharedWeightTotals(2, 2 * TenantModels.EncoderBytes, 0), backend.SharedInitializers.Totals);
        Assert.NotEqual(await AnswerAsync(engine, "tenant_a"), await AnswerAsync(engine, "tenant_b"));
    }

    [Fact]
    public async Task An_initializer_stored_as_typed_floats_is_shared_with_the_same_values_stored_raw()
    {
        var encoder = TenantModels.Encoder();
        WriteTenant("raw", encoder, head: 1);
        var typed = ModelProto.Parser.ParseFrom(TenantModels.Model(encoder, TenantModels.Head(1)));
        var tensor = typed.Graph.Initializer.Single(i => i.Name == "encoder");
        tensor.RawData = ByteString.Empty;
        tensor.FloatData.AddRange(encoder);
        TestModels.WriteModel(_repository.Path, "typed", typed.ToByteArray());
        var backend = Backend();

        await using var engine = await ServeAsync(backend);

        Assert.Equal(new SharedWeightTotals(1, TenantModels.EncoderBytes, TenantModels.EncoderBytes), backend.SharedInitializers.Totals);
        Assert.Equal(await AnswerAsync(engine, "raw"), await AnswerAsync(engine, "typed"));
    }

    [Fact]
    public async Task A_hot_swap_and_an_unload_keep_the_other_models_shared_weights_alive_and_serving()
    {
        var encoder = WriteTwoTenantsOverOneEncoder();
        var backend = Backend();
        var engine = await ServeAsync(backend, builder => builder.UseModelControl(ModelControlMode.Explicit).LoadModelsAtStartup("*"));
        int[] b;
        await using (engine)
        {
            b = await AnswerAsync(engine, "tenant_b");
            var a1 = await AnswerAsync(engine, "tenant_a");

            // Version 2 of tenant_a gets tenant_b's head: it must then answer exactly what tenant_b does.
            WriteTenant("tenant_a", encoder, head: 2, version: 2);
            Assert.Null(await engine.LoadModelAsync("tenant_a").WaitAsync(Timeout));
            await RetiredAsync(engine);

            Assert.Equal(new SharedWeightTotals(1, TenantModels.EncoderBytes, TenantModels.EncoderBytes), backend.SharedInitializers.Totals);
            Assert.Equal(b, await AnswerAsync(engine, "tenant_b"));
            var a2 = await engine.InferAsync(TenantModels.Request("tenant_a")).AsTask().WaitAsync(Timeout);
            Assert.Equal("2", a2.ModelVersion);
            Assert.Equal(b, TenantModels.Bits(a2));
            Assert.NotEqual(a1, b);

            Assert.Null(await engine.UnloadModelAsync("tenant_b").WaitAsync(Timeout));
            await RetiredAsync(engine);

            Assert.Equal(new SharedWeightTotals(1, TenantModels.EncoderBytes, 0), backend.SharedInitializers.Totals);
            Assert.Equal(b, await AnswerAsync(engine, "tenant_a"));
        }

        Assert.Equal(default, backend.SharedInitializers.Totals);

        // Emptied, the store started over (a new pre-packed weights container): the backend loads and shares again.
        await using var again = await ServeAsync(backend);
        Assert.Equal(new SharedWeightTotals(1, TenantModels.EncoderBytes, TenantModels.EncoderBytes), backend.SharedInitializers.Totals);
        Assert.Equal(b, await AnswerAsync(again, "tenant_b"));
        Assert.Equal(b, await AnswerAsync(again, "tenant_a"));
    }

    [Fact]
    public async Task Concurrent_loads_of_many_models_sharing_one_weight_hold_it_once()
    {
        const int Models = 12;
        var encoder = TenantModels.Encoder();
        for (var i = 0; i < Models; i++)
        {
            WriteTenant($"tenant_{i}", encoder, head: i);
        }

        var backend = Backend();
        var loads = Enumerable.Range(0, Models).Select(i => Task.Run(async () => await backend.LoadAsync(Context($"tenant_{i}"), CancellationToken.None)));
        var models = await Task.WhenAll(loads).WaitAsync(Timeout);

        Assert.Equal(new SharedWeightTotals(1, TenantModels.EncoderBytes, (Models - 1) * TenantModels.EncoderBytes), backend.SharedInitializers.Totals);
        var answers = new List<float[]>();
        var instances = new List<IModelInstance>();
        foreach (var model in models)
        {
            var instance = await model.CreateInstanceAsync(0, CancellationToken.None);
            instances.Add(instance);
            answers.Add(await RunAsync(instance, "tenant"));
        }

        Assert.Equal(Models, answers.Select(a => string.Join(',', a)).Distinct().Count());
        await Task.WhenAll(instances.Select(i => i.DisposeAsync().AsTask()).Concat(models.Select(m => m.DisposeAsync().AsTask()))).WaitAsync(Timeout);
        Assert.Equal(default, backend.SharedInitializers.Totals);
    }

    [Fact]
    public async Task An_instance_after_the_configured_ones_reads_the_file_again_and_refuses_it_once_it_changed()
    {
        WriteTenant("tenant", TenantModels.Encoder(), head: 1);
        var backend = Backend();
        var model = await backend.LoadAsync(Context("tenant", instanceCount: 2), CancellationToken.None);
        await using var first = await model.CreateInstanceAsync(0, CancellationToken.None);
        var original = await RunAsync(first, "tenant");

        // Until instance_count instances exist, instances come from the bytes that were loaded, whatever the file holds now.
        WriteTenant("tenant", TenantModels.Encoder(), head: 2);
        await using var second = await model.CreateInstanceAsync(1, CancellationToken.None);
        Assert.Equal(original, await RunAsync(second, "tenant"));

        // Past them, the file is read again: it must be the one that was loaded.
        WriteTenant("tenant", TenantModels.Encoder(), head: 1);
        await using var third = await model.CreateInstanceAsync(2, CancellationToken.None);
        Assert.Equal(original, await RunAsync(third, "tenant"));

        WriteTenant("tenant", TenantModels.Encoder(), head: 3);
        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => model.CreateInstanceAsync(3, CancellationToken.None).AsTask());
        Assert.Equal(
            $"{Path.Combine(_repository.ModelPath("tenant"), "1", "model.onnx")} changed since this version was loaded (its SHA-256 differs), so no instance can be added from it; load the model again to serve the new file",
            refused.Message);

        await first.DisposeAsync();
        await second.DisposeAsync();
        await third.DisposeAsync();
        await model.DisposeAsync();
        Assert.Equal(default, backend.SharedInitializers.Totals);
    }

    [Theory]
    [InlineData("""{"backend_settings": {"onnxruntime": {"share_weights": false}}}""", null, 0)]
    [InlineData("""{"backend_settings": {"onnxruntime": {"share_weights": true}}}""", null, 1)]
    [InlineData("""{"backend_settings": {"onnxruntime": {"share_weights": "no"}}}""", "backend_settings.onnxruntime.share_weights must be true or false, not \"no\"", 0)]
    [InlineData("""{"backend_settings": {"onnxruntime": {"share_weight": false}}}""", "unknown setting backend_settings.onnxruntime.share_weight; known: intra_op_threads, inter_op_threads, optimize_graph, share_weights, global_thread_pool, shared_arena, share_subplans", 0)]
    public async Task A_models_share_weights_setting_is_read_and_its_mistakes_named(string config, string? reason, int held)
    {
        WriteTenant("tenant", TenantModels.Encoder(), head: 1);
        _repository.WriteConfig("tenant", config);

        var backend = Backend();

        await using var engine = await new InferenceEngineBuilder().UseModelRepository(_repository.Path).AddBackend(backend).BuildAsync().WaitAsync(Timeout);

        var status = Assert.Single(engine.Models);
        Assert.Equal(reason is null ? ModelState.Ready : ModelState.Unavailable, status.State);
        Assert.Equal(reason, status.Versions[0].Reason);
        Assert.Equal(held, backend.SharedInitializers.Totals.Count);
    }

    [Fact]
    public async Task A_model_may_share_when_the_backend_default_is_off()
    {
        var encoder = TenantModels.Encoder();
        WriteTenant("tenant_a", encoder, head: 1);
        WriteTenant("tenant_b", encoder, head: 2);
        WriteTenant("tenant_c", encoder, head: 3);
        foreach (var model in new[] { "tenant_a", "tenant_b" })
        {
            _repository.WriteConfig(model, """{"backend_settings": {"onnxruntime": {"share_weights": true}}}""");
        }

        var backend = Backend(shareWeights: false);
        await using var engine = await ServeAsync(backend);

        Assert.Equal(new SharedWeightTotals(1, TenantModels.EncoderBytes, TenantModels.EncoderBytes), backend.SharedInitializers.Totals);
    }

    private ModelLoadContext Context(string model, int instanceCount = 1) =>
        new(model, 1, Path.Combine(_repository.ModelPath(model), "1"), ModelConfig.Empty with { InstanceCount = instanceCount }, NullLoggerFactory.Instance, TimeProvider.System)
        {
            Backend = OnnxRuntimeBackend.BackendName,
        };

    private static async Task<float[]> RunAsync(IModelInstance instance, string model)
    {
        var result = await instance.ExecuteAsync([TenantModels.Request(model)], CancellationToken.None).AsTask().WaitAsync(Timeout);
        Assert.True(result.Error is null, result.Error?.Message);
        return result.Outputs![0][0].ToArray<float>();
    }

    // A retired version is disposed by its last request; the requests above have all ended, so this state is reached.
    private static async Task RetiredAsync(InferenceEngine engine)
    {
        using var deadline = new CancellationTokenSource(Timeout);
        while (engine.RetiringVersions > 0)
        {
            await Task.Delay(10, deadline.Token);
        }
    }
}
