using Augur.Backends;
using Augur.Inference;
using Augur.Models;
using Augur.OnnxRuntime.Backend;
using Augur.Testing;
using Augur.Testing.Fakes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Augur.OnnxRuntime.Tests.Sharing;

/// <summary>
/// Plain models whose graphs begin alike share that beginning (design note 0018): one session computes the prefix for
/// the joined batches of every model, each model runs the rest of its graph on its own, and the answers are those of the
/// models run whole.
/// </summary>
public sealed class SharedPrefixTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly string[] Tenants = ["tenant_a", "tenant_b", "tenant_c", "tenant_d"];
    private readonly TempRepository _repository = new();
    private readonly List<(IModel Model, IModelInstance Instance)> _loaded = [];

    public void Dispose() => _repository.Dispose();

    /// <summary>A backend that shares prefixes holding the test encoder's 16 KiB (the default minimum is 1 MiB).</summary>
    private static OnnxRuntimeBackend Backend(bool shareSubPlans = true, long minimumBytes = TenantModels.EncoderBytes) =>
        new(new OnnxRuntimeOptions { ShareSubPlans = shareSubPlans, SharedPrefixMinimumBytes = minimumBytes });

    [Fact]
    public async Task Models_over_one_encoder_share_it_as_one_prefix_and_answer_bit_for_bit_as_when_run_whole()
    {
        var encoder = TenantModels.Encoder();
        for (var i = 0; i < Tenants.Length; i++)
        {
            Write(Tenants[i], PrefixModels.Tenant(encoder, head: i));
        }

        var expected = await AnswersAsync(Backend(shareSubPlans: false));
        var backend = Backend();
        var logs = new ListLoggerFactory();
        foreach (var tenant in Tenants)
        {
            await LoadAsync(backend, tenant, logs: logs);
        }

        var (step, users) = Assert.Single(backend.SharedPrefixes.Steps.Snapshot());
        Assert.Equal(Tenants.Select(t => $"{t} version 1").Order(), users.Order());
        Assert.Equal("onnx_prefix", step.Computation.Kind);
        Assert.StartsWith("ONNX prefix of 2 node(s) (MatMul, Relu)", step.Description, StringComparison.Ordinal);
        Assert.Equal(expected, await AnswersAsync());
        Assert.Equal(Tenants.Length, step.Calls);

        // tenant_a ran whole until tenant_b loaded; the others were split as they loaded.
        Assert.Equal(
            [$"Model tenant_a version 1 begins with shared sub-plan {step.Fingerprint}, an {step.Description}, held by 0 other loaded model version(s): its batches are computed with theirs, then the rest of its graph runs on its own",
             .. Tenants.Skip(1).Select((t, i) => $"Model {t} version 1 begins with shared sub-plan {step.Fingerprint}, an {step.Description}, held by {i + 1} other loaded model version(s): its batches are computed with theirs, then the rest of its graph runs on its own")],
            logs.Messages.Where(m => m.EventId == 3105).Select(m => m.Message));
        var plan = Assert.IsAssignableFrom<IExplainsPlan>(_loaded[0].Model).Plan;
        Assert.Equal(["prefix", "suffix"], plan.Steps.Select(s => s.Name));
        Assert.Equal(step.Fingerprint, plan.Steps[0].SharedKey);
        Assert.Contains(plan.Shared, r => r.Kind == SharedResource.SubPlan && r.Key == step.Fingerprint);
        await UnloadAllAsync();
        Assert.Empty(backend.SharedPrefixes.Steps.Snapshot());
    }

    [Fact]
    public async Task The_prefix_runs_once_for_the_batches_of_the_models_that_queued_while_it_ran()
    {
        var encoder = TenantModels.Encoder();
        for (var i = 0; i < Tenants.Length; i++)
        {
            Write(Tenants[i], PrefixModels.Tenant(encoder, head: i));
        }

        var expected = await AnswersAsync(Backend(shareSubPlans: false));
        var backend = Backend();
        foreach (var tenant in Tenants)
        {
            await LoadAsync(backend, tenant);
        }

        var step = Assert.Single(backend.SharedPrefixes.Steps.Snapshot()).Step;
        // The first run is held as it starts, until the other models' batches have queued behind it.
        using var gate = new SemaphoreSlim(0);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var allQueued = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = 0;
        step.Started = () =>
        {
            if (Interlocked.Exchange(ref held, 1) == 0)
            {
                entered.TrySetResult();
                gate.Wait();
            }
        };
        step.Queued = waiting =>
        {
            if (waiting == Tenants.Length - 1)
            {
                allQueued.TrySetResult();
            }
        };

        var first = Task.Run(() => _loaded[0].Instance.ExecuteAsync([PrefixModels.Request(Tenants[0], 0)], CancellationToken.None).AsTask());
        await entered.Task.WaitAsync(Timeout);
        var others = Enumerable.Range(1, Tenants.Length - 1)
            .Select(i => Task.Run(() => _loaded[i].Instance.ExecuteAsync([PrefixModels.Request(Tenants[i], i)], CancellationToken.None).AsTask()))
            .ToArray();
        await allQueued.Task.WaitAsync(Timeout);
        gate.Release();
        var results = new[] { await first.WaitAsync(Timeout) }.Concat(await Task.WhenAll(others).WaitAsync(Timeout)).ToArray();

        Assert.Equal(2, step.Runs);
        Assert.Equal(Tenants.Length, step.Calls);
        Assert.Equal(expected, results.Select(Bits).ToArray());
        await UnloadAllAsync();
    }

    [Fact]
    public async Task A_new_version_joins_the_prefix_its_old_one_shares_and_the_prefix_lives_while_any_model_holds_it()
    {
        var encoder = TenantModels.Encoder();
        Write("tenant_a", PrefixModels.Tenant(encoder, head: 1));
        Write("tenant_b", PrefixModels.Tenant(encoder, head: 2));
        Write("tenant_b", PrefixModels.Tenant(encoder, head: 3), version: 2);
        var whole = Backend(shareSubPlans: false);
        var expectedA = Bits(await RunAsync(await LoadAsync(whole, "tenant_a"), "tenant_a"));
        var expectedB2 = Bits(await RunAsync(await LoadAsync(whole, "tenant_b", version: 2), "tenant_b"));
        await UnloadAllAsync();

        var backend = Backend();
        var a = await LoadAsync(backend, "tenant_a");
        var b1 = await LoadAsync(backend, "tenant_b");
        var b2 = await LoadAsync(backend, "tenant_b", version: 2);
        var (step, users) = Assert.Single(backend.SharedPrefixes.Steps.Snapshot());
        Assert.Equal(["tenant_a version 1", "tenant_b version 1", "tenant_b version 2"], users.Order());

        await UnloadAsync(b1);
        Assert.Equal(["tenant_a version 1", "tenant_b version 2"], backend.SharedPrefixes.Steps.UsersOf(step.Fingerprint).Order());
        Assert.Equal(expectedB2, Bits(await RunAsync(b2, "tenant_b")));
        Assert.Equal(expectedA, Bits(await RunAsync(a, "tenant_a")));
        await UnloadAsync(a);
        Assert.Equal(expectedB2, Bits(await RunAsync(b2, "tenant_b")));
        await UnloadAsync(b2);
        Assert.Empty(backend.SharedPrefixes.Steps.Snapshot());
    }

    [Fact]
    public async Task A_suffix_reads_inputs_of_its_own_and_identical_models_share_the_whole_graph()
    {
        var encoder = TenantModels.Encoder();
        Write("biased_a", PrefixModels.Tenant(encoder, head: 1, biasInput: true));
        Write("biased_b", PrefixModels.Tenant(encoder, head: 2, biasInput: true));
        Write("copy_a", PrefixModels.Tenant(encoder, head: 5));
        Write("copy_b", PrefixModels.Tenant(encoder, head: 5));
        string[] models = ["biased_a", "biased_b", "copy_a", "copy_b"];
        var whole = Backend(shareSubPlans: false);
        var expected = new List<int[]>();
        foreach (var model in models)
        {
            expected.Add(Bits(await RunAsync(await LoadAsync(whole, model), model, biasInput: model.StartsWith("biased", StringComparison.Ordinal))));
        }

        await UnloadAllAsync();
        // Through two backends: loaded together, the copies would join the prefix the biased models found first.
        var biased = Backend();
        var copies = Backend();
        var answers = new List<int[]>();
        foreach (var model in models)
        {
            await LoadAsync(model.StartsWith("biased", StringComparison.Ordinal) ? biased : copies, model);
        }

        for (var i = 0; i < models.Length; i++)
        {
            answers.Add(Bits(await RunAsync(_loaded[i], models[i], biasInput: models[i].StartsWith("biased", StringComparison.Ordinal))));
        }

        Assert.Equal(expected, answers);
        Assert.StartsWith("ONNX prefix of 2 node(s) (MatMul, Relu)", Assert.Single(biased.SharedPrefixes.Steps.Snapshot()).Step.Description, StringComparison.Ordinal);
        Assert.StartsWith("ONNX prefix of 3 node(s) (MatMul, Relu)", Assert.Single(copies.SharedPrefixes.Steps.Snapshot()).Step.Description, StringComparison.Ordinal);
        Assert.Equal(["prefix", "suffix"], Assert.IsAssignableFrom<IExplainsPlan>(_loaded[1].Model).Plan.Steps.Select(s => s.Name));
        Assert.Equal(["prefix"], Assert.IsAssignableFrom<IExplainsPlan>(_loaded[3].Model).Plan.Steps.Select(s => s.Name));
        await UnloadAllAsync();
    }

    [Fact]
    public async Task Models_are_not_split_when_the_switch_is_off_the_common_part_is_small_they_do_not_batch_or_its_rows_are_not_the_inputs()
    {
        var encoder = TenantModels.Encoder();
        Write("tenant_a", PrefixModels.Tenant(encoder, head: 1));
        Write("tenant_b", PrefixModels.Tenant(encoder, head: 2));
        Write("other_encoder", PrefixModels.Tenant(TenantModels.Encoder(seed: 2), head: 2));
        Write("flat_a", PrefixModels.Flattening(encoder, head: 1));
        Write("flat_b", PrefixModels.Flattening(encoder, head: 2));
        Write("unbatched_a", PrefixModels.Tenant(encoder, head: 1));
        Write("unbatched_b", PrefixModels.Tenant(encoder, head: 2));

        foreach (var backend in new[] { Backend(shareSubPlans: false), Backend(minimumBytes: TenantModels.EncoderBytes + 1) })
        {
            await LoadAsync(backend, "tenant_a");
            await LoadAsync(backend, "tenant_b");
            Assert.Empty(backend.SharedPrefixes.Steps.Snapshot());
            await UnloadAllAsync();
        }

        var expected = new List<int[]>();
        var whole = Backend(shareSubPlans: false);
        foreach (var model in new[] { "flat_a", "flat_b" })
        {
            expected.Add(Bits(await RunAsync(await LoadAsync(whole, model), model)));
        }

        await UnloadAllAsync();
        var shared = Backend();
        var logs = new ListLoggerFactory();
        await LoadAsync(shared, "other_encoder");
        await LoadAsync(shared, "unbatched_a", maxBatchSize: 0);
        await LoadAsync(shared, "unbatched_b", maxBatchSize: 0);
        await LoadAsync(shared, "flat_a", logs: logs);
        var flatB = await LoadAsync(shared, "flat_b", logs: logs);
        Assert.Empty(shared.SharedPrefixes.Steps.Snapshot());
        Assert.Equal(
            ["Model flat_b version 1 has 2 node(s) in common with flat_a version 1, but they are not shared: output 'flattened' has shape [448] for 7 rows: its rows are not the inputs' rows"],
            logs.Messages.Where(m => m.EventId == 3106).Select(m => m.Message));
        Assert.Equal(expected[1], Bits(await RunAsync(flatB, "flat_b")));
        Assert.Equal(expected[0], Bits(await RunAsync(_loaded[3], "flat_a")));
        await UnloadAllAsync();
    }

    [Fact]
    public async Task An_input_the_shared_prefix_cannot_run_on_is_a_client_error_naming_the_model_and_the_other_model_still_answers()
    {
        var encoder = TenantModels.Encoder();
        Write("lookup_a", PrefixModels.Lookup(encoder, head: 1));
        Write("lookup_b", PrefixModels.Lookup(encoder, head: 2));
        var backend = Backend();
        var a = await LoadAsync(backend, "lookup_a");
        var b = await LoadAsync(backend, "lookup_b");
        Assert.Single(backend.SharedPrefixes.Steps.Snapshot());

        var bad = await a.Instance.ExecuteAsync([new InferenceRequest("lookup_a", [Augur.Tensors.InferenceTensor.Create("ids", new long[] { 3, 999 }, 1, 2)])], CancellationToken.None).AsTask().WaitAsync(Timeout);
        Assert.Equal(Augur.Errors.ErrorCode.InvalidArgument, bad.Error?.Code);
        Assert.StartsWith("model 'lookup_a': the shared prefix could not run on this input: ", bad.Error!.Message, StringComparison.Ordinal);

        var good = await b.Instance.ExecuteAsync([new InferenceRequest("lookup_b", [Augur.Tensors.InferenceTensor.Create("ids", new long[] { 3, 63 }, 1, 2)])], CancellationToken.None).AsTask().WaitAsync(Timeout);
        Assert.True(good.Error is null, good.Error?.Message);
        await UnloadAllAsync();
    }

    private void Write(string model, byte[] bytes, int version = 1) => TestModels.WriteModel(_repository.Path, model, bytes, version);

    private async Task<(IModel Model, IModelInstance Instance)> LoadAsync(OnnxRuntimeBackend backend, string model, int version = 1, int? maxBatchSize = null, ListLoggerFactory? logs = null)
    {
        var directory = Path.Combine(_repository.Path, model, version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var config = maxBatchSize is null ? ModelConfig.Empty : ModelConfig.Empty with { MaxBatchSize = maxBatchSize };
        var context = new ModelLoadContext(model, version, directory, config, (Microsoft.Extensions.Logging.ILoggerFactory?)logs ?? NullLoggerFactory.Instance, TimeProvider.System);
        var loaded = await backend.LoadAsync(context, CancellationToken.None);
        var entry = (loaded, await loaded.CreateInstanceAsync(0, CancellationToken.None));
        _loaded.Add(entry);
        return entry;
    }

    /// <summary>One request to each of <see cref="Tenants"/>, loaded now through <paramref name="backend"/> and unloaded after, or through those loaded already.</summary>
    private async Task<int[][]> AnswersAsync(OnnxRuntimeBackend? backend = null)
    {
        if (backend is not null)
        {
            foreach (var tenant in Tenants)
            {
                await LoadAsync(backend, tenant);
            }
        }

        var answers = new int[Tenants.Length][];
        for (var i = 0; i < Tenants.Length; i++)
        {
            answers[i] = Bits(await _loaded[i].Instance.ExecuteAsync([PrefixModels.Request(Tenants[i], i)], CancellationToken.None).AsTask().WaitAsync(Timeout));
        }

        if (backend is not null)
        {
            await UnloadAllAsync();
        }

        return answers;
    }

    private static async Task<BatchResult> RunAsync((IModel Model, IModelInstance Instance) loaded, string model, bool biasInput = false) =>
        await loaded.Instance.ExecuteAsync([PrefixModels.Request(model, 0, biasInput)], CancellationToken.None).AsTask().WaitAsync(Timeout);

    private static int[] Bits(BatchResult result)
    {
        Assert.True(result.Error is null, result.Error?.Message);
        return result.Outputs![0][0].ToArray<float>().Select(BitConverter.SingleToInt32Bits).ToArray();
    }

    private async Task UnloadAsync((IModel Model, IModelInstance Instance) loaded)
    {
        _loaded.Remove(loaded);
        await loaded.Instance.DisposeAsync();
        await loaded.Model.DisposeAsync();
    }

    private async Task UnloadAllAsync()
    {
        foreach (var loaded in _loaded.ToArray())
        {
            await UnloadAsync(loaded);
        }
    }
}
