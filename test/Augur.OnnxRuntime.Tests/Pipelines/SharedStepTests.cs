using System.Diagnostics.CodeAnalysis;
using Augur.OnnxRuntime.Pipelines;
using Augur.OnnxRuntime.Pipelines.Featurizers;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Tests.Pipelines;

/// <summary>
/// A shared step (design note 0016) held busy at a gate: the calls that arrive meanwhile wait and run as one batch, each
/// getting its own rows back; a joined batch that fails is run call by call; rows of different shapes are not joined.
/// </summary>
public sealed class SharedStepTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Calls_that_arrive_while_the_step_runs_wait_and_run_together_as_one_batch()
    {
        var featurizer = new GatedDoubler();
        var step = new SharedStep("f", new FeaturizerComputation(featurizer), "double");

        var first = Task.Run(() => step.RunAsync([Rows(1, 1, 2)], "a").AsTask());
        await featurizer.Entered.Task.WaitAsync(Timeout);
        // The run under way holds the step: these calls only queue.
        var queued = new[] { step.RunAsync([Rows(2, 10, 20, 30, 40)], "b"), step.RunAsync([Rows(1, 5, 6)], "c"), step.RunAsync([Rows(3, 7, 8, 9, 10, 11, 12)], "d") };
        Assert.Equal(3, step.Waiting);
        Assert.Equal(1, featurizer.Runs);

        featurizer.Gate.Release();
        var outcomes = new[] { await first.WaitAsync(Timeout) }.Concat(await Task.WhenAll(queued.Select(q => q.AsTask())).WaitAsync(Timeout)).ToArray();

        Assert.Equal(2, step.Runs);
        Assert.Equal(4, step.Calls);
        Assert.Equal(7, step.Rows);
        Assert.Equal([1L, 6L], featurizer.RowsPerRun);
        Assert.Equal(["a", "b", "c", "d"], outcomes.Select(o => o.Output!.Name));
        Assert.Equal([2f, 4f], outcomes[0].Output!.ToArray<float>());
        Assert.Equal([20f, 40f, 60f, 80f], outcomes[1].Output!.ToArray<float>());
        Assert.Equal([2, 2], outcomes[1].Output!.Shape.ToArray());
        Assert.Equal([10f, 12f], outcomes[2].Output!.ToArray<float>());
        Assert.Equal([14f, 16f, 18f, 20f, 22f, 24f], outcomes[3].Output!.ToArray<float>());
        Assert.Equal(0, step.Waiting);
    }

    [Fact]
    public async Task A_joined_batch_that_fails_is_run_call_by_call_so_only_the_call_at_fault_gets_the_problem()
    {
        var featurizer = new GatedDoubler();
        var step = new SharedStep("f", new FeaturizerComputation(featurizer), "double");

        var first = Task.Run(() => step.RunAsync([Rows(1, 1, 2)], "a").AsTask());
        await featurizer.Entered.Task.WaitAsync(Timeout);
        var good = step.RunAsync([Rows(1, 3, 4)], "b");
        var bad = step.RunAsync([Rows(1, -1, 4)], "c");
        var alsoGood = step.RunAsync([Rows(1, 5, 6)], "d");
        featurizer.Gate.Release();

        Assert.Null((await first.WaitAsync(Timeout)).Problem);
        var (b, refused, d) = (await good.AsTask().WaitAsync(Timeout), await bad.AsTask().WaitAsync(Timeout), await alsoGood.AsTask().WaitAsync(Timeout));
        Assert.Equal([6f, 8f], b.Output!.ToArray<float>());
        Assert.Null(refused.Output);
        Assert.Equal("row 0 holds -1; only values ≥ 0 are doubled", refused.Problem);
        Assert.Equal([10f, 12f], d.Output!.ToArray<float>());
        // The first call, the joined three (refused), then each of them alone.
        Assert.Equal([1L, 3L, 1L, 1L, 1L], featurizer.RowsPerRun);
    }

    [Fact]
    public async Task Calls_whose_rows_have_different_shapes_are_not_joined()
    {
        var featurizer = new GatedDoubler();
        var step = new SharedStep("f", new FeaturizerComputation(featurizer), "double");

        var first = Task.Run(() => step.RunAsync([Rows(1, 1, 2)], "a").AsTask());
        await featurizer.Entered.Task.WaitAsync(Timeout);
        var wide = step.RunAsync([Rows(1, 1, 2, 3)], "wide");
        var narrowA = step.RunAsync([Rows(1, 1, 2)], "x");
        var narrowB = step.RunAsync([Rows(2, 1, 2, 3, 4)], "y");
        featurizer.Gate.Release();
        await first.WaitAsync(Timeout);

        var (w, x, y) = (await wide.AsTask().WaitAsync(Timeout), await narrowA.AsTask().WaitAsync(Timeout), await narrowB.AsTask().WaitAsync(Timeout));
        Assert.Equal([2f, 4f, 6f], w.Output!.ToArray<float>());
        Assert.Equal([2f, 4f], x.Output!.ToArray<float>());
        Assert.Equal([2f, 4f, 6f, 8f], y.Output!.ToArray<float>());
        Assert.Equal(3, step.Runs);
        Assert.Equal([1L, 1L, 3L], featurizer.RowsPerRun.Take(1).Concat(featurizer.RowsPerRun.Skip(1).Order()));
    }

    [Fact]
    public void A_step_is_held_while_any_version_holds_it_and_each_release_counts_once()
    {
        var steps = new SharedSteps();
        var featurizer = new GatedDoubler();
        var step = new FeaturizerStep("double", featurizer, ["x"], "y");

        var a1 = steps.Acquire("f", step, "a version 1");
        var b1 = steps.Acquire("f", step, "b version 1");
        var a2 = steps.Acquire("f", step, "a version 2");
        Assert.Same(a1.Step, b1.Step);
        Assert.Same(a1.Step, a2.Step);
        a1.Dispose();
        a1.Dispose();
        Assert.Equal(["b version 1", "a version 2"], steps.UsersOf("f"));
        b1.Dispose();
        a2.Dispose();
        Assert.Empty(steps.Snapshot());

        // Acquired again after every holder let go: a new step, counts from zero.
        using var again = steps.Acquire("f", step, "c version 1");
        Assert.NotSame(a1.Step, again.Step);
        Assert.Equal(0, again.Step.Calls);
    }

    private static InferenceTensor Rows(int rows, params float[] values) => InferenceTensor.Create("x", values, rows, values.Length / rows);

    /// <summary>Doubles FP32 values ≥ 0; its first run waits at <see cref="Gate"/>. Counts its runs and their rows.</summary>
    private sealed class GatedDoubler : IFeaturizer
    {
        private int _runs;

        public SemaphoreSlim Gate { get; } = new(0);

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Runs => Volatile.Read(ref _runs);

        public List<long> RowsPerRun { get; } = [];

        public string Kind => "double";

        public bool TryInfer(IReadOnlyList<PipelineTensor> inputs, out DataType dataType, [NotNullWhen(true)] out long[]? shape, [NotNullWhen(false)] out string? problem) =>
            throw new NotSupportedException();

        public bool TryRun(IReadOnlyList<InferenceTensor> inputs, string output, [NotNullWhen(true)] out InferenceTensor? result, [NotNullWhen(false)] out string? problem)
        {
            lock (RowsPerRun)
            {
                RowsPerRun.Add(inputs[0].Shape[0]);
            }

            if (Interlocked.Increment(ref _runs) == 1)
            {
                Entered.SetResult();
                Gate.Wait();
            }

            var values = inputs[0].ToArray<float>();
            var columns = inputs[0].Shape[1];
            for (var i = 0; i < values.Length; i++)
            {
                if (values[i] < 0)
                {
                    (result, problem) = (null, $"row {i / columns} holds {values[i]}; only values ≥ 0 are doubled");
                    return false;
                }
            }

            result = InferenceTensor.Create(output, values.Select(v => v * 2).ToArray(), inputs[0].Shape.ToArray());
            problem = null;
            return true;
        }
    }
}
