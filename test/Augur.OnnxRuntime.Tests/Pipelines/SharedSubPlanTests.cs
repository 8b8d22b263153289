using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Augur.Backends;
using Augur.Inference;
using Augur.Models;
using Augur.OnnxRuntime.Backend;
using Augur.OnnxRuntime.Pipelines;
using Augur.OnnxRuntime.Pipelines.Featurizers;
using Augur.OnnxRuntime.Samples;
using Augur.OnnxRuntime.Tests.Sharing;
using Augur.OnnxRuntime.Tests.Sparse;
using Augur.Tensors;
using Augur.Testing;
using Augur.Testing.Fakes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Augur.OnnxRuntime.Tests.Pipelines;

/// <summary>
/// Shared sub-plans (design note 0016) through the pipeline backend: pipelines that begin with the same featurizer hold
/// one shared step, whose counted runs show the batches of N pipelines computed together; the answers are those of
/// unshared pipelines; a hot swap keeps the step; the switch in config.json and the backend's default.
/// </summary>
public sealed class SharedSubPlanTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly string[] Names = ["a", "b", "c", "d"];
    private readonly TempRepository _repository = new();

    public void Dispose() => _repository.Dispose();

    // Dense: the text_ngrams step is shared. Sparse heads: the sparse rows that step gives the head are (design note 0017).
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_step_that_n_pipelines_begin_with_runs_once_for_the_batches_that_queued_while_it_ran(bool sparseHeads)
    {
        foreach (var name in Names)
        {
            CopySentiment(name);
        }

        var expected = await UnsharedAnswersAsync();
        var backend = new PipelineBackend(new OnnxRuntimeBackend(new OnnxRuntimeOptions { SparseHeads = sparseHeads }));
        var (fingerprint, featurizer) = await SharedStepAsync(sparseHeads);
        // Held first by the test, so every pipeline gets this step: the real one behind a gate on its first run.
        var gated = new GatedFeaturizer(featurizer);
        using var hold = backend.SharedSteps.Acquire(fingerprint, new FeaturizerStep("gate", gated, ["text"], "ngrams"), "test");
        var allQueued = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        hold.Step.Queued = waiting =>
        {
            if (waiting == Names.Length - 1)
            {
                allQueued.TrySetResult();
            }
        };
        var loaded = new List<(IModel Model, IModelInstance Instance)>();
        foreach (var name in Names)
        {
            var model = await backend.LoadAsync(Context(name, "{}"), CancellationToken.None);
            loaded.Add((model, await model.CreateInstanceAsync(0, CancellationToken.None)));
        }

        try
        {
            Assert.Equal(["test", .. Names.Select(n => $"{n} version 1")], backend.SharedSteps.UsersOf(fingerprint));
            var first = Task.Run(() => loaded[0].Instance.ExecuteAsync([Request(Names[0], 0)], CancellationToken.None).AsTask());
            await gated.Entered.Task.WaitAsync(Timeout);
            var others = Enumerable.Range(1, Names.Length - 1)
                .Select(i => Task.Run(() => loaded[i].Instance.ExecuteAsync([Request(Names[i], i)], CancellationToken.None).AsTask()))
                .ToArray();
            await allQueued.Task.WaitAsync(Timeout);

            gated.Gate.Release();
            var results = new[] { await first.WaitAsync(Timeout) }.Concat(await Task.WhenAll(others).WaitAsync(Timeout)).ToArray();

            Assert.Equal(2, hold.Step.Runs);
            Assert.Equal(Names.Length, hold.Step.Calls);
            for (var i = 0; i < Names.Length; i++)
            {
                Assert.True(results[i].Error is null, results[i].Error?.Message);
                var answer = results[i].Outputs![0][0].ToArray<float>();
                if (sparseHeads)
                {
                    Tolerance.AssertClose(expected[i], answer);
                }
                else
                {
                    Assert.Equal(expected[i], answer);
                }
            }
        }
        finally
        {
            foreach (var (model, instance) in loaded)
            {
                await instance.DisposeAsync();
                await model.DisposeAsync();
            }
        }

        Assert.Equal(["test"], backend.SharedSteps.UsersOf(fingerprint));
    }

    [Fact]
    public async Task A_hot_swap_keeps_the_shared_step_and_the_last_version_to_go_lets_it_go()
    {
        CopySentiment("a");
        CopySentiment("b");
        var backend = new PipelineBackend(new OnnxRuntimeBackend(new OnnxRuntimeOptions()));
        var a1 = await backend.LoadAsync(Context("a", "{}"), CancellationToken.None);
        var b1 = await backend.LoadAsync(Context("b", "{}"), CancellationToken.None);
        var (step, users) = Assert.Single(backend.SharedSteps.Snapshot());
        Assert.Equal(["a version 1", "b version 1"], users);

        // The new version loads before the old one goes, as the engine swaps.
        var a2 = await backend.LoadAsync(Context("a", "{}", version: 2), CancellationToken.None);
        await a1.DisposeAsync();
        var (after, usersAfter) = Assert.Single(backend.SharedSteps.Snapshot());
        Assert.Same(step, after);
        Assert.Equal(["b version 1", "a version 2"], usersAfter);
        await using (var instance = await a2.CreateInstanceAsync(0, CancellationToken.None))
        {
            Assert.Null((await instance.ExecuteAsync([Request("a", 0)], CancellationToken.None)).Error);
        }

        Assert.Equal(1, step.Calls);
        await b1.DisposeAsync();
        await a2.DisposeAsync();
        Assert.Empty(backend.SharedSteps.Snapshot());
    }

    [Fact]
    public async Task Served_by_the_engine_pipelines_share_by_default_and_config_json_or_the_backend_can_turn_it_off()
    {
        CopySentiment("a");
        CopySentiment("b");
        CopySentiment("off");
        _repository.WriteConfig("off", """{"backend_settings": {"pipeline": {"share_subplans": false}}}""");
        CopySentiment("bad");
        _repository.WriteConfig("bad", """{"backend_settings": {"pipeline": {"share_subplans": 1}}}""");
        var logs = new ListLoggerFactory();
        using var meters = new GaugeProbe();
        var expected = await UnsharedAnswersAsync();

        await using (var engine = await new InferenceEngineBuilder().UseModelRepository(_repository.Path).UseLoggerFactory(logs).UseMeterFactory(meters).UseOnnxRuntime(o => o.SparseHeads = false).BuildAsync().WaitAsync(Timeout))
        {
            Assert.Equal("backend_settings.pipeline.share_subplans must be true or false, not 1", engine.Models.Single(m => m.Name == "bad").Versions[0].Reason);
            var callsBefore = meters.Read("augur.pipeline.shared_step_calls");
            foreach (var (name, i) in new[] { ("a", 0), ("b", 1), ("off", 2) })
            {
                var response = await engine.InferAsync(Request(name, i)).AsTask().WaitAsync(Timeout);
                Assert.Equal(expected[i], response["probability"].ToArray<float>());
            }

            // One step, held by a and b, sent one batch by each request (warm-up sent its own before).
            Assert.Equal(2, meters.Read("augur.pipeline.shared_step_users"));
            Assert.Equal(callsBefore + 2, meters.Read("augur.pipeline.shared_step_calls"));
            Assert.InRange(meters.Read("augur.pipeline.shared_step_runs"), 1, callsBefore + 2);
        }

        var shared = logs.Messages.Where(m => m.EventId == 3123).Select(m => m.Message).Order().ToArray();
        Assert.Equal(2, shared.Length);
        Assert.Matches("^Model a version 1: step 'featurize' \\(text_ngrams\\) is shared sub-plan [0-9a-f]{16}, held by [01] other loaded pipeline version\\(s\\)", shared[0]);
        Assert.StartsWith("Model b version 1: step 'featurize' (text_ngrams) is shared sub-plan", shared[1]);
        // Not shared, so fused as before.
        Assert.Contains(logs.Messages, m => m.EventId == 3120 && m.Message.StartsWith("Model off version 1:", StringComparison.Ordinal));

        var backendOff = new PipelineBackend(new OnnxRuntimeBackend(new OnnxRuntimeOptions { ShareSubPlans = false }));
        await using (var model = await backendOff.LoadAsync(Context("a", "{}"), CancellationToken.None))
        {
            Assert.Empty(backendOff.SharedSteps.Snapshot());
        }

        // The model's own setting wins over the backend's default.
        await using (var model = await backendOff.LoadAsync(Context("a", """{"share_subplans": true}"""), CancellationToken.None))
        {
            Assert.Single(backendOff.SharedSteps.Snapshot());
        }
    }

    private static InferenceRequest Request(string model, int i) =>
        new(model, [InferenceTensor.CreateStrings("text", [$"great food {i}", "not good at all", i % 2 == 0 ? "never again" : "friendly staff"], 3, 1)]);

    /// <summary>What each of the requests gets from the sentiment pipeline run on its own, unshared.</summary>
    private async Task<float[][]> UnsharedAnswersAsync()
    {
        var backend = new PipelineBackend(new OnnxRuntimeBackend(new OnnxRuntimeOptions { ShareSubPlans = false, FusePipelines = false, SparseHeads = false }));
        await using var model = await backend.LoadAsync(Context("a", "{}"), CancellationToken.None);
        await using var instance = await model.CreateInstanceAsync(0, CancellationToken.None);
        var answers = new float[Names.Length][];
        for (var i = 0; i < answers.Length; i++)
        {
            var result = await instance.ExecuteAsync([Request("a", i)], CancellationToken.None);
            answers[i] = result.Outputs![0][0].ToArray<float>();
        }

        return answers;
    }

    /// <summary>The fingerprint and featurizer of the step the sentiment pipeline shares, as a backend of its own shares it.</summary>
    private async Task<(string Fingerprint, IFeaturizer Featurizer)> SharedStepAsync(bool sparseHeads)
    {
        var probe = new PipelineBackend(new OnnxRuntimeBackend(new OnnxRuntimeOptions { SparseHeads = sparseHeads }));
        await using var model = await probe.LoadAsync(Context("a", "{}"), CancellationToken.None);
        var step = Assert.Single(probe.SharedSteps.Snapshot()).Step;
        Assert.StartsWith(sparseHeads ? "sparse rows text_ngrams " : "text_ngrams ", step.Description, StringComparison.Ordinal);
        return (step.Fingerprint, Assert.IsType<FeaturizerComputation>(step.Computation).Featurizer);
    }

    private ModelLoadContext Context(string model, string pipelineSettings, long version = 1)
    {
        var directory = Path.Combine(_repository.Path, model, version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!Directory.Exists(directory))
        {
            CopySentiment(model, version);
        }

        return new ModelLoadContext(model, version, directory, ModelConfig.Empty, NullLoggerFactory.Instance, TimeProvider.System)
        {
            Settings = JsonDocument.Parse(pipelineSettings).RootElement.Clone(),
        };
    }

    private void CopySentiment(string name, long version = 1)
    {
        var source = Path.Combine(RepositoryPaths.SampleModels, SampleModels.Sentiment, "1");
        var target = Directory.CreateDirectory(Path.Combine(_repository.Path, name, version.ToString(System.Globalization.CultureInfo.InvariantCulture))).FullName;
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
        }
    }
}
