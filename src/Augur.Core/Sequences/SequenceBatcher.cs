using Augur.Diagnostics;
using Augur.Errors;
using Augur.Inference;
using Augur.Models;
using Augur.Scheduling;
using Augur.Stages;
using Augur.Tensors;

namespace Augur.Sequences;

/// <summary>
/// The ordering layer of a sequence model version. Each step waits for the previous step of its sequence (so one step per
/// sequence is in flight, in arrival order), takes the sequence's state and past readings into its inputs, and goes to
/// the version's <see cref="DynamicBatcher"/> (the rest of the request pipeline: this is always its last stage), which
/// batches it with the steps of other sequences. When the step
/// completes, its state outputs and reading are stored for the next one; an END step releases the sequence.
/// </summary>
internal sealed class SequenceBatcher : IRequestStage, IDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<string, SequenceSlot> _slots = new(StringComparer.Ordinal);
    private readonly string _model;
    private readonly SequenceBatchingConfig _config;
    private readonly SequenceSignature _signature;
    private readonly TimeProvider _time;
    private readonly ITimer _sweep;
    private readonly IDisposable _gauge;
    private readonly long[][] _stateShapes;
    private readonly long[][] _windowShapes;
    private readonly long[][] _featureShapes;
    private readonly Dictionary<string, int> _historyCapacity = new(StringComparer.Ordinal);
    private bool _disposed;

    public SequenceBatcher(string model, string version, SequenceBatchingConfig config, SequenceSignature signature, int maxBatchSize, TimeProvider time, EngineMetrics metrics)
    {
        _model = model;
        _config = config;
        _signature = signature;
        _time = time;
        long[] Batched(IEnumerable<long> dims) => maxBatchSize > 0 ? [1, .. dims] : dims.ToArray();
        long[] ShapeOf(string input) => signature.Model.FindInput(input)!.Shape.Select(d => d < 0 ? 1 : d).ToArray();
        _stateShapes = config.States.Select(s => Batched(s.Dims)).ToArray();
        _windowShapes = config.Windows.Select(w => ShapeOf(w.InputName)).ToArray();
        _featureShapes = config.Features.Select(f => ShapeOf(f.InputName)).ToArray();
        foreach (var (source, capacity) in config.Windows.Select(w => (w.Source, w.Length)).Concat(config.Features.Select(f => (f.Source, f.Capacity))))
        {
            _historyCapacity[source] = Math.Max(capacity, _historyCapacity.GetValueOrDefault(source));
        }

        // Expired sequences are also dropped when looked up; the sweep frees the memory of those never seen again.
        _sweep = time.CreateTimer(static state => ((SequenceBatcher)state!).Sweep(), this, config.MaxSequenceIdle, config.MaxSequenceIdle);
        _gauge = metrics.TrackSequences(model, version, () => LiveSequences);
    }

    public SequenceBatchingConfig Config => _config;

    public SequenceSignature Signature => _signature;

    /// <summary>Sequences live now: started, not ended, not expired.</summary>
    public int LiveSequences
    {
        get
        {
            lock (_gate)
            {
                var now = _time.GetTimestamp();
                return _slots.Values.Count(slot => !IsExpired(slot, now));
            }
        }
    }

    /// <summary>Runs one validated step (its <see cref="InferenceRequest.Sequence"/> set) after the previous step of its sequence.</summary>
    public async ValueTask<ExecutionOutcome> InvokeAsync(RequestContext context, RequestHandler next)
    {
        var (request, arrival, cancellationToken) = (context.Request, context.Arrival, context.CancellationToken);
        var control = request.Sequence!;
        SequenceSlot slot;
        Task previous;
        var turn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (Admit(control) is { } refused)
            {
                return ExecutionOutcome.Failed(refused);
            }

            slot = _slots[control.Id];
            slot.Pending++;
            slot.LastActive = _time.GetTimestamp();
            previous = slot.Tail;
            slot.Tail = turn.Task;
        }

        if (!previous.IsCompleted)
        {
            try
            {
                await previous.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The next step must still wait for the one before this: this step's turn ends when that one's does.
                _ = previous.ContinueWith(static (_, state) => { var (self, s, t) = ((SequenceBatcher, SequenceSlot, TaskCompletionSource))state!; self.Finish(s, t); },
                    (this, slot, turn), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                return ExecutionOutcome.Failed(SequenceErrors.Cancelled(_model, control.Id));
            }
        }

        try
        {
            return await RunStepAsync(slot, context, next).ConfigureAwait(false);
        }
        finally
        {
            Finish(slot, turn);
        }
    }

    /// <summary>Finds or creates the step's slot, or refuses the step. Under the lock.</summary>
    private InferenceError? Admit(SequenceControl control)
    {
        if (_disposed)
        {
            return SequenceErrors.Unloading(_model);
        }

        var now = _time.GetTimestamp();
        if (_slots.TryGetValue(control.Id, out var slot))
        {
            if (!IsExpired(slot, now))
            {
                return null;
            }

            _slots.Remove(control.Id);
        }

        if (!control.Start && !_config.ImplicitStart)
        {
            return SequenceErrors.Unknown(_model, control.Id, _config.MaxSequenceIdle);
        }

        if (_slots.Count >= _config.MaxSequences)
        {
            SweepLocked(now);
            if (_slots.Count >= _config.MaxSequences)
            {
                return SequenceErrors.TooMany(_model, _config.MaxSequences);
            }
        }

        _slots[control.Id] = new SequenceSlot(control.Id);
        return null;
    }

    private bool IsExpired(SequenceSlot slot, long now) =>
        slot.Pending == 0 && _time.GetElapsedTime(slot.LastActive, now) > _config.MaxSequenceIdle;

    private async ValueTask<ExecutionOutcome> RunStepAsync(SequenceSlot slot, RequestContext context, RequestHandler next)
    {
        var (request, arrival) = (context.Request, context.Arrival);
        var control = request.Sequence!;
        bool disposed;
        lock (_gate)
        {
            disposed = _disposed;
            if (!disposed && (control.Start || (!slot.Active && _config.ImplicitStart)))
            {
                Reset(slot);
                slot.Active = true;
            }
        }

        if (disposed)
        {
            return ExecutionOutcome.Failed(SequenceErrors.Unloading(_model));
        }

        if (!slot.Active)
        {
            return ExecutionOutcome.Failed(SequenceErrors.Ended(_model, control.Id));
        }

        context.Request = WithSequenceInputs(request, slot, arrival);
        var outcome = await next(context).ConfigureAwait(false);
        if (outcome.Error is not null)
        {
            return outcome;
        }

        var outputs = outcome.Outputs!;
        for (var i = 0; i < _signature.StateOutputs.Length; i++)
        {
            slot.States[i] = outputs[_signature.StateOutputs[i]].Data.ToArray();
        }

        foreach (var (source, history) in slot.Histories)
        {
            history.Add(request.FindInput(source)!.AsSpan<float>(), arrival);
        }

        if (control.End)
        {
            lock (_gate)
            {
                slot.Active = false;
            }

            Release(slot);
        }

        var visible = new InferenceTensor[_signature.ClientOutputs.Length];
        for (var i = 0; i < visible.Length; i++)
        {
            visible[i] = outputs[_signature.ClientOutputs[i]];
        }

        return outcome with { Outputs = visible };
    }

    /// <summary>Fresh state for a starting sequence: zeros, no past readings.</summary>
    private void Reset(SequenceSlot slot)
    {
        slot.States = _config.States.Select((s, i) => new byte[ElementCount(_stateShapes[i]) * s.DataType.ElementSize()]).ToArray();
        slot.Histories.Clear();
        foreach (var (source, capacity) in _historyCapacity)
        {
            slot.Histories[source] = new ReadingHistory(capacity, _signature.SourceElements[source]);
        }
    }

    private static void Release(SequenceSlot slot)
    {
        slot.States = [];
        slot.Histories.Clear();
    }

    private static int ElementCount(long[] shape) => (int)shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>The step's request with the inputs the engine feeds: state, windows and aggregates.</summary>
    private InferenceRequest WithSequenceInputs(InferenceRequest request, SequenceSlot slot, long arrival)
    {
        var inputs = new List<InferenceTensor>(request.Inputs.Count + _stateShapes.Length + _windowShapes.Length + _featureShapes.Length);
        inputs.AddRange(request.Inputs);
        for (var i = 0; i < _stateShapes.Length; i++)
        {
            var state = _config.States[i];
            inputs.Add(InferenceTensor.FromRaw(state.InputName, state.DataType, _stateShapes[i], slot.States[i]));
        }

        for (var i = 0; i < _windowShapes.Length; i++)
        {
            var window = _config.Windows[i];
            var values = new float[ElementCount(_windowShapes[i])];
            SequenceFeatures.Window(slot.Histories[window.Source], request.FindInput(window.Source)!.AsSpan<float>(), window.Length, values);
            inputs.Add(InferenceTensor.Create(window.InputName, values, _windowShapes[i]));
        }

        for (var i = 0; i < _featureShapes.Length; i++)
        {
            var feature = _config.Features[i];
            var values = new float[ElementCount(_featureShapes[i])];
            SequenceFeatures.Aggregate(feature, slot.Histories[feature.Source], request.FindInput(feature.Source)!.AsSpan<float>(), arrival, _time, values);
            inputs.Add(InferenceTensor.Create(feature.InputName, values, _featureShapes[i]));
        }

        return request.WithInputs(inputs);
    }

    /// <summary>Ends a step's turn: the next step of the sequence may run; an ended sequence nobody waits for is removed.</summary>
    private void Finish(SequenceSlot slot, TaskCompletionSource turn)
    {
        lock (_gate)
        {
            slot.Pending--;
            slot.LastActive = _time.GetTimestamp();
            if (slot.Pending == 0 && !slot.Active && _slots.TryGetValue(slot.Id, out var current) && current == slot)
            {
                _slots.Remove(slot.Id);
            }
        }

        turn.TrySetResult();
    }

    private void Sweep()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                SweepLocked(_time.GetTimestamp());
            }
        }
    }

    private void SweepLocked(long now)
    {
        foreach (var slot in _slots.Values.Where(s => IsExpired(s, now)).ToArray())
        {
            _slots.Remove(slot.Id);
        }
    }

    /// <summary>Refuses new steps; steps waiting for their turn fail as the scheduler drains the ones before them.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _slots.Clear();
        }

        _sweep.Dispose();
        _gauge.Dispose();
    }
}
