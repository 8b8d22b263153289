using System.Diagnostics.CodeAnalysis;
using Augur.Backends;
using Augur.Inference;
using Augur.Models;
using Augur.OnnxRuntime.Backend;
using Augur.OnnxRuntime.Pipelines;
using Augur.OnnxRuntime.Pipelines.Featurizers;
using Augur.OnnxRuntime.Samples;
using Augur.Tensors;
using Augur.Testing;
using Augur.Testing.Fakes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Augur.OnnxRuntime.Tests.Sparse;

/// <summary>
/// The sparse rows of N pipelines' heads computed as one shared step (design notes 0016 and 0017): the batches that
/// queued while a run was under way run as one, and every pipeline gets its dense answers within tolerance.
/// </summary>
public sealed class SparseSharedStepTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly string[] Names = ["a", "b", "c"];
    private readonly TempRepository _repository = new();

    public void Dispose() => _repository.Dispose();

    [Fact]
    public async Task The_sparse_rows_n_pipelines_feed_their_heads_run_once_for_the_batches_that_queued_while_one_ran()
    {
        foreach (var name in Names)
        {
            CopySentiment(name);
        }

        var expected = await DenseAnswersAsync();
        var backend = new PipelineBackend(new OnnxRuntimeBackend(new OnnxRuntimeOptions()));
        var (fingerprint, featurization) = await SparseStepAsync();
        // Held first by the test, so every pipeline gets this step: the real sparse featurization behind a gate on its first run.
        var gated = new GatedFeaturizer(featurization);
        using var hold = backend.SharedSteps.Acquire(fingerprint, new FeaturizerStep("gate", gated, ["text"], "ngrams"), "test");
        var loaded = new List<(IModel Model, IModelInstance Instance)>();
        foreach (var name in Names)
        {
            var model = await backend.LoadAsync(Context(name), CancellationToken.None);
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
            while (hold.Step.Waiting < Names.Length - 1)
            {
                await Task.Delay(1);
            }

            gated.Gate.Release();
            var results = new[] { await first.WaitAsync(Timeout) }.Concat(await Task.WhenAll(others).WaitAsync(Timeout)).ToArray();

            Assert.Equal(2, hold.Step.Runs);
            Assert.Equal(Names.Length, hold.Step.Calls);
            for (var i = 0; i < Names.Length; i++)
            {
                Assert.True(results[i].Error is null, results[i].Error?.Message);
                Tolerance.AssertClose(expected[i], results[i].Outputs![0][0].ToArray<float>());
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

    private static InferenceRequest Request(string model, int i) =>
        new(model, [InferenceTensor.CreateStrings("text", [$"great food {i}", "not good at all", i % 2 == 0 ? "never again" : "friendly staff"], 3, 1)]);

    /// <summary>What each request gets from the sentiment pipeline run densely, unshared, in ONNX Runtime.</summary>
    private async Task<float[][]> DenseAnswersAsync()
    {
        var backend = new PipelineBackend(new OnnxRuntimeBackend(new OnnxRuntimeOptions { ShareSubPlans = false, FusePipelines = false, SparseHeads = false }));
        await using var model = await backend.LoadAsync(Context("a"), CancellationToken.None);
        await using var instance = await model.CreateInstanceAsync(0, CancellationToken.None);
        var answers = new float[Names.Length][];
        for (var i = 0; i < answers.Length; i++)
        {
            answers[i] = (await instance.ExecuteAsync([Request("a", i)], CancellationToken.None)).Outputs![0][0].ToArray<float>();
        }

        return answers;
    }

    /// <summary>The fingerprint and featurization of the sentiment pipeline's sparse rows, as a backend of its own shares them.</summary>
    private async Task<(string, IFeaturizer)> SparseStepAsync()
    {
        var probe = new PipelineBackend(new OnnxRuntimeBackend(new OnnxRuntimeOptions()));
        await using var model = await probe.LoadAsync(Context("a"), CancellationToken.None);
        var step = Assert.Single(probe.SharedSteps.Snapshot()).Step;
        Assert.StartsWith("sparse rows text_ngrams ", step.Description, StringComparison.Ordinal);
        return (step.Fingerprint, step.Featurizer);
    }

    private ModelLoadContext Context(string model) =>
        new(model, 1, Path.Combine(_repository.Path, model, "1"), ModelConfig.Empty, NullLoggerFactory.Instance, TimeProvider.System);

    private void CopySentiment(string name)
    {
        var source = Path.Combine(RepositoryPaths.SampleModels, SampleModels.Sentiment, "1");
        var target = Directory.CreateDirectory(Path.Combine(_repository.Path, name, "1")).FullName;
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
        }
    }

    /// <summary>A featurizer that waits at <see cref="Gate"/> on its first run, then computes as the one it wraps.</summary>
    private sealed class GatedFeaturizer(IFeaturizer inner) : IFeaturizer
    {
        private int _runs;

        public SemaphoreSlim Gate { get; } = new(0);

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Kind => inner.Kind;

        public bool TryInfer(IReadOnlyList<PipelineTensor> inputs, out DataType dataType, [NotNullWhen(true)] out long[]? shape, [NotNullWhen(false)] out string? problem) =>
            inner.TryInfer(inputs, out dataType, out shape, out problem);

        public bool TryRun(IReadOnlyList<InferenceTensor> inputs, string output, [NotNullWhen(true)] out InferenceTensor? result, [NotNullWhen(false)] out string? problem)
        {
            if (Interlocked.Increment(ref _runs) == 1)
            {
                Entered.TrySetResult();
                Gate.Wait();
            }

            return inner.TryRun(inputs, output, out result, out problem);
        }
    }
}
