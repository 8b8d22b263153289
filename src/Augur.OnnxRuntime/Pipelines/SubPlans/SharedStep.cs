using Augur.Tensors;

namespace Augur.OnnxRuntime.Pipelines;

/// <summary>
/// One step that every loaded model beginning with it runs through (design note 0016): a pipeline's featurizer, or the
/// ONNX graph prefix several models have in common (design note 0018). The steps of equal <see cref="Fingerprint"/>
/// compute the same row-wise function, so the batches of different models are computed together. A call finding the step idle runs at once, on its own thread; the calls that arrive while a run is under
/// way wait and then run as one batch (their rows joined), and so on until none waits. Nothing waits for more calls to
/// come, so sharing adds no delay. A batch whose run fails (a request of the wrong width, say) is run call by call, so
/// the problem reaches only the pipeline that sent it.
/// </summary>
internal sealed class SharedStep(string fingerprint, ISharedComputation computation, string description)
{
    private const string JoinedName = "shared";

    private readonly object _gate = new();
    private List<Call> _waiting = [];
    private bool _running;
    private long _calls;
    private long _runs;
    private long _rows;

    /// <summary>The step's identity: its kind, its settings and, recursively, what its inputs are (<see cref="SubPlan"/>).</summary>
    public string Fingerprint { get; } = fingerprint;

    /// <summary>What it computes, e.g. <c>text_ngrams {"buckets":4096}</c>, for the plan and the log.</summary>
    public string Description { get; } = description;

    /// <summary>What it runs.</summary>
    public ISharedComputation Computation { get; } = computation;

    /// <summary>Calls made (one per batch of a pipeline).</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>Times the featurizer ran: fewer than <see cref="Calls"/> when batches of different calls were joined.</summary>
    public long Runs => Interlocked.Read(ref _runs);

    /// <summary>Rows computed.</summary>
    public long Rows => Interlocked.Read(ref _rows);

    /// <summary>Called with the number of calls waiting, under the step's lock, each time a call queues (a test's known point).</summary>
    internal Action<int>? Queued { get; set; }

    /// <summary>Called on the running thread as each run starts, before it computes (a test's known point: it may hold the run there).</summary>
    internal Action? Started { get; set; }

    /// <summary>Calls waiting for the run under way to end.</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>The featurizer's output for <paramref name="inputs"/> (a batch of rows), named <paramref name="output"/>, or the problem.</summary>
    public ValueTask<StepOutcome> RunAsync(IReadOnlyList<InferenceTensor> inputs, string output)
    {
        // A call that ran inline (the step was idle) is answered without a state machine: pipelines call this per batch.
        var outcome = RunAsync(inputs);
        return outcome.IsCompletedSuccessfully ? ValueTask.FromResult(outcome.Result.Named(output)) : NamedAsync(outcome, output);
    }

    private static async ValueTask<StepOutcome> NamedAsync(ValueTask<StepOutcome> outcome, string output) => (await outcome.ConfigureAwait(false)).Named(output);

    /// <summary>The computation's outputs for <paramref name="inputs"/> (a batch of rows), in its order, or the problem.</summary>
    public ValueTask<StepOutcome> RunAsync(IReadOnlyList<InferenceTensor> inputs)
    {
        Interlocked.Increment(ref _calls);
        lock (_gate)
        {
            if (_running)
            {
                var call = new Call(inputs);
                _waiting.Add(call);
                Queued?.Invoke(_waiting.Count);
                return new ValueTask<StepOutcome>(call.Completion.Task);
            }

            _running = true;
        }

        StepOutcome outcome;
        try
        {
            outcome = RunOne(inputs);
        }
        finally
        {
            HandOff();
        }

        return ValueTask.FromResult(outcome);
    }

    /// <summary>Ends a run: the calls that waited meanwhile run next, as one batch, on a pool thread; else the step is idle.</summary>
    private void HandOff()
    {
        List<Call> group;
        lock (_gate)
        {
            if (_waiting.Count == 0)
            {
                _running = false;
                return;
            }

            group = _waiting;
            _waiting = [];
        }

        ThreadPool.UnsafeQueueUserWorkItem(
            static state =>
            {
                var (step, calls) = state;
                try
                {
                    step.RunJoined(calls);
                }
                catch (Exception ex)
                {
                    foreach (var call in calls)
                    {
                        call.Completion.TrySetException(ex);
                    }
                }
                finally
                {
                    step.HandOff();
                }
            },
            (this, group),
            preferLocal: false);
    }

    private void RunJoined(List<Call> calls)
    {
        // Rows join only where every input's row shape agrees (text of any width, say, is one tensor per width).
        foreach (var part in calls.GroupBy(c => RowShapes(c.Inputs)))
        {
            var members = part.ToArray();
            if (members.Length == 1)
            {
                members[0].Completion.TrySetResult(RunOne(members[0].Inputs));
                continue;
            }

            var joined = new InferenceTensor[members[0].Inputs.Count];
            for (var i = 0; i < joined.Length; i++)
            {
                joined[i] = TensorRows.Concat(members.Select(m => m.Inputs[i]).ToArray(), $"{JoinedName}{i}");
            }

            var outcome = RunOne(joined);
            var parts = outcome.Outputs is { } outputs ? SplitAll(outputs, members.Select(m => m.Inputs[0].Shape[0]).ToArray()) : null;
            for (var m = 0; m < members.Length; m++)
            {
                // A joined batch that failed is run call by call: the problem belongs to one of them.
                members[m].Completion.TrySetResult(parts is null ? RunOne(members[m].Inputs) : new StepOutcome(parts.Select(p => p[m]).ToArray(), null));
            }
        }
    }

    /// <summary>Each output cut back into the members' rows; null when one cannot be (the run is then repeated call by call).</summary>
    private static InferenceTensor[][]? SplitAll(IReadOnlyList<InferenceTensor> outputs, long[] rows)
    {
        var parts = new InferenceTensor[outputs.Count][];
        for (var o = 0; o < parts.Length; o++)
        {
            if (TensorRows.Split(outputs[o], rows, out _) is not { } split)
            {
                return null;
            }

            parts[o] = split;
        }

        return parts;
    }

    private StepOutcome RunOne(IReadOnlyList<InferenceTensor> inputs)
    {
        Interlocked.Increment(ref _runs);
        Interlocked.Add(ref _rows, inputs[0].Shape.Length == 0 ? 0 : inputs[0].Shape[0]);
        Started?.Invoke();
        return Computation.Run(inputs);
    }

    private static string RowShapes(IReadOnlyList<InferenceTensor> inputs) =>
        string.Join(';', inputs.Select(t => $"{t.DataType.Name()}{TensorShape.Format(t.Shape.Length == 0 ? ReadOnlySpan<long>.Empty : t.Shape[1..])}"));

    private sealed class Call(IReadOnlyList<InferenceTensor> inputs)
    {
        public IReadOnlyList<InferenceTensor> Inputs { get; } = inputs;

        public TaskCompletionSource<StepOutcome> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>A shared step's answer to one call: its outputs, or the computation's problem with the call's rows.</summary>
internal readonly record struct StepOutcome(IReadOnlyList<InferenceTensor>? Outputs, string? Problem)
{
    /// <summary>The first output (a featurizer's only one), or null when the run failed.</summary>
    public InferenceTensor? Output => Outputs?[0];

    /// <summary>The first output alone, named <paramref name="name"/>.</summary>
    public StepOutcome Named(string name) => Output is { } output ? new StepOutcome([output.WithName(name)], null) : this;
}
