using Augur.Backends;
using Augur.Errors;
using Augur.Inference;
using Augur.Models;
using Augur.Tensors;
using Augur.Workers.Diagnostics;
using Augur.Workers.Protocol;
using Augur.Workers.Wire;
using Microsoft.Extensions.Logging;
using ErrorCode = Augur.Errors.ErrorCode;
using TensorSpec = Augur.Models.TensorSpec;

namespace Augur.Workers.Hosting;

/// <summary>
/// The worker's one model version and its one instance: decodes a batch, runs it on the instance (one batch at a time)
/// and encodes the outcome. Every failure is an error value in the response, never an RPC failure, so the caller can
/// tell a model's error from a lost worker.
/// </summary>
internal sealed class WorkerModel : IAsyncDisposable
{
    private readonly IModel _model;
    private readonly IModelInstance _instance;
    private readonly TensorSpec[] _inputs;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    // The engine runs one batch at a time per instance, but a batch it cancelled may still be running here when the
    // next one arrives: the next one waits for it rather than running concurrently on the same instance.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _disposed;

    public WorkerModel(string name, long version, string platform, int? maxBatchSize, IModel model, IModelInstance instance, TimeProvider time, ILogger logger)
    {
        Name = name;
        _model = model;
        _instance = instance;
        _inputs = model.Signature.Inputs.ToArray();
        _time = time;
        _logger = logger;
        Description = new DescribeResponse { ModelName = name, ModelVersion = version, Platform = platform, ProcessId = Environment.ProcessId };
        Description.Inputs.Add(model.Signature.Inputs.Select(WireTensors.ToWire));
        Description.Outputs.Add(model.Signature.Outputs.Select(WireTensors.ToWire));
        if (maxBatchSize is { } max)
        {
            Description.MaxBatchSize = max;
        }
    }

    public string Name { get; }

    public ModelSignature Signature => _model.Signature;

    /// <summary>The answer to every Describe call (built once).</summary>
    public DescribeResponse Description { get; }

    /// <summary>Called when a batch arrives while another runs and waits for its turn (a test's known point).</summary>
    internal Action? WaitingForTurn { get; set; }

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>The instance's health; down once the worker is stopping.</summary>
    public InstanceHealth Health => IsDisposed ? InstanceHealth.Down($"the worker of model '{Name}' is stopping") : _instance.Health;

    public async Task<ExecuteResponse> ExecuteAsync(ExecuteRequest request, CancellationToken cancellationToken)
    {
        if (!_gate.Wait(0))
        {
            WaitingForTurn?.Invoke();
            try
            {
                await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return Failure(new InferenceError(ErrorCode.Cancelled, $"the batch for model '{Name}' was cancelled before it ran"));
            }
        }

        try
        {
            if (IsDisposed)
            {
                return Failure(InferenceError.Unavailable($"the worker of model '{Name}' is stopping"));
            }

            var start = _time.GetTimestamp();
            if (!TryDecode(request, out var batch, out var invalid))
            {
                return Failure(invalid);
            }

            var decoded = _time.GetTimestamp();
            BatchResult result;
            try
            {
                result = await _instance.ExecuteAsync(batch, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return Failure(new InferenceError(ErrorCode.Cancelled, $"the batch for model '{Name}' was cancelled"));
            }
            catch (Exception ex)
            {
                WorkerLog.BatchFailed(_logger, Name, ex);
                return Failure(new InferenceError(ErrorCode.Internal, $"model '{Name}' failed: {ex.Message}"));
            }

            if (result.Error is { } error)
            {
                return Failure(error);
            }

            var encodeStart = _time.GetTimestamp();
            var outputs = new Outputs();
            foreach (var tensors in result.Outputs!)
            {
                var wire = new Result();
                foreach (var tensor in tensors)
                {
                    wire.Outputs.Add(WireTensors.ToWire(tensor));
                }

                outputs.Results.Add(wire);
            }

            var end = _time.GetTimestamp();
            return new ExecuteResponse
            {
                Outputs = outputs,
                InputNanos = Nanos(_time.GetElapsedTime(start, decoded) + result.Timings.Input),
                InferNanos = Nanos(result.Timings.Infer),
                OutputNanos = Nanos(result.Timings.Output + _time.GetElapsedTime(encodeStart, end)),
            };
        }
        finally
        {
            _gate.Release();
        }
    }

    private bool TryDecode(ExecuteRequest request, out InferenceRequest[] batch, out InferenceError error)
    {
        batch = new InferenceRequest[request.Requests.Count];
        error = null!;
        if (batch.Length == 0)
        {
            error = InferenceError.Invalid($"the batch for model '{Name}' holds no requests");
            return false;
        }

        for (var r = 0; r < batch.Length; r++)
        {
            var wire = request.Requests[r].Inputs;
            if (wire.Count != _inputs.Length)
            {
                error = InferenceError.Invalid($"request {r} of the batch has {wire.Count} inputs; model '{Name}' has {_inputs.Length}");
                return false;
            }

            var inputs = new InferenceTensor[_inputs.Length];
            for (var i = 0; i < inputs.Length; i++)
            {
                var spec = _inputs[i];
                if (!WireTensors.TryFromWire(wire[i], spec.Name, out inputs[i], out var problem))
                {
                    error = InferenceError.Invalid($"model '{Name}' input '{spec.Name}': {problem}");
                    return false;
                }

                if (inputs[i].DataType != spec.DataType)
                {
                    error = InferenceError.Invalid($"model '{Name}' input '{spec.Name}' is {spec.DataType.Name()}, not {inputs[i].DataType.Name()}");
                    return false;
                }
            }

            batch[r] = new InferenceRequest(Name, inputs);
        }

        return true;
    }

    private static ExecuteResponse Failure(InferenceError error) => new() { Error = WireErrors.ToWire(error) };

    private static long Nanos(TimeSpan time) => time.Ticks * 100;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // A batch still running (the host's drain timed out and cancelled it) finishes before its instance goes.
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await _instance.DisposeAsync().ConfigureAwait(false);
            await _model.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }
}
