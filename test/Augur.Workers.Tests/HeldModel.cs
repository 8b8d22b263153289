using Augur.Backends;
using Augur.Errors;
using Augur.Models;
using Augur.Tensors;
using Augur.Testing.Fakes;

namespace Augur.Workers.Tests;

/// <summary>
/// A fake echo model (FP32 [-1, 3] in and out) whose batches wait until released, so a call is held at a known point. A
/// held batch that is cancelled returns Cancelled at once; a stubborn one notes the cancellation and waits on for its release.
/// </summary>
internal sealed class HeldModel(bool stubborn = false)
{
    public static readonly ModelSignature Signature = new([new Models.TensorSpec("input", DataType.Fp32, [-1, 3])], [new Models.TensorSpec("output", DataType.Fp32, [-1, 3])]);

    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FakeBackend? _backend;

    /// <summary>Completes when the first batch starts.</summary>
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a held batch's token fires.</summary>
    public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FakeModel Model => _backend!.Loaded[^1];

    public FakeBackend Backend(string name) => _backend = new FakeBackend().Register(name, FakeModelSpec.Custom(Signature, async call =>
    {
        Started.TrySetResult();
        if (stubborn)
        {
            using (call.CancellationToken.Register(() => Cancelled.TrySetResult()))
            {
                await _release.Task;
            }

            return FakeModelSpec.Echo(call.Batch, Signature);
        }

        try
        {
            await _release.Task.WaitAsync(call.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            Cancelled.TrySetResult();
            return BatchResult.Failure(new InferenceError(ErrorCode.Cancelled, "cancelled"));
        }

        return FakeModelSpec.Echo(call.Batch, Signature);
    }));

    /// <summary>Lets every held batch, and every later one, run.</summary>
    public void Release() => _release.TrySetResult();
}
