using System.Buffers;
using Augur.Backends;
using Augur.Errors;
using Augur.Inference;
using Augur.Models;
using Microsoft.ML.OnnxRuntime;
using AugurErrorCode = Augur.Errors.ErrorCode;

namespace Augur.OnnxRuntime.Backend;

/// <summary>
/// One ONNX Runtime session. A batch of several requests is concatenated along the first dimension,
/// run once, and the outputs are split back by each request's batch size.
/// </summary>
internal sealed class OnnxModelInstance(string model, InferenceSession session, ModelSignature signature, TimeProvider time) : IModelInstance
{
    private readonly string[] _inputNames = signature.Inputs.Select(i => i.Name).ToArray();
    private readonly string[] _outputNames = signature.Outputs.Select(o => o.Name).ToArray();

    /// <summary>The inputs it reads and the outputs it gives, in its order.</summary>
    public ModelSignature Signature => signature;

    // One per instance: an instance runs one batch at a time, and creating run options costs a native round trip.
    private readonly RunOptions _runOptions = new() { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };

    public ValueTask<BatchResult> ExecuteAsync(IReadOnlyList<InferenceRequest> batch, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Execute(batch, cancellationToken));

    /// <summary>Runs <paramref name="batch"/> on the calling thread (ONNX Runtime's run blocks it).</summary>
    public BatchResult Execute(IReadOnlyList<InferenceRequest> batch, CancellationToken cancellationToken)
    {
        var start = time.GetTimestamp();
        var inputs = new OrtValue[_inputNames.Length];
        var pins = new List<MemoryHandle>();
        var runOptions = _runOptions;

        // The previous batch's registration is disposed (which waits for a running callback), so no late cancellation
        // can set the flag after this reset.
        runOptions.Terminate = false;
        using var terminate = cancellationToken.CanBeCanceled
            ? cancellationToken.Register(static state => ((RunOptions)state!).Terminate = true, runOptions)
            : default;
        try
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                inputs[i] = TensorMarshaller.CreateInput(batch, signature.Inputs[i], pins);
            }

            var inferStart = time.GetTimestamp();
            using var outputs = session.Run(runOptions, _inputNames, inputs, _outputNames);
            var outputStart = time.GetTimestamp();
            var split = TensorMarshaller.SplitOutputs(batch, _outputNames, outputs);
            var end = time.GetTimestamp();
            if (split.Error is not null)
            {
                return BatchResult.Failure(new InferenceError(AugurErrorCode.Internal, $"model '{model}': {split.Error}"));
            }

            var timings = new BatchTimings(TimeBetween(start, inferStart), TimeBetween(inferStart, outputStart), TimeBetween(outputStart, end));
            return BatchResult.Success(split.Outputs!, timings);
        }
        catch (OnnxRuntimeException ex) when (cancellationToken.IsCancellationRequested)
        {
            return BatchResult.Failure(new InferenceError(AugurErrorCode.Cancelled, $"the run of model '{model}' was cancelled: {ex.Message}"));
        }
        catch (OnnxRuntimeException ex)
        {
            // The signature was checked and warm-up proved the model runs, so a failure here comes from values the
            // signature cannot rule out (an index out of range, a dynamic size an inner Reshape refuses): the client's error.
            return BatchResult.Failure(InferenceError.Invalid($"model '{model}' could not run on this input: {ex.Message}"));
        }
        finally
        {
            foreach (var input in inputs)
            {
                input?.Dispose();
            }

            foreach (var pin in pins)
            {
                pin.Dispose();
            }
        }
    }

    private TimeSpan TimeBetween(long from, long to) => time.GetElapsedTime(from, to);

    public ValueTask DisposeAsync()
    {
        _runOptions.Dispose();
        session.Dispose();
        return ValueTask.CompletedTask;
    }
}
