using Augur.Backends;
using Augur.Inference;

namespace Augur.Scheduling;

/// <summary>
/// A batch handed to an instance. A batch of one runs under its request's cancellation token; a larger batch
/// runs under a token that is cancelled only when every one of its requests has been cancelled, since a running
/// ONNX Runtime call can only be stopped as a whole. (The source has no timer, so it needs no disposal, and a
/// late cancellation callback can never meet a disposed source.)
/// </summary>
internal sealed class RunningBatch
{
    private readonly CancellationTokenSource? _allCancelled;
    private int _live;

    public RunningBatch(IModelInstance instance, PendingRequest[] requests, DispatchReason reason)
    {
        Instance = instance;
        Requests = requests;
        Reason = reason;
        Inputs = new InferenceRequest[requests.Length];
        for (var i = 0; i < requests.Length; i++)
        {
            Inputs[i] = requests[i].Request;
            Rows += requests[i].Rows;
        }

        if (requests.Length == 1)
        {
            CancellationToken = requests[0].CancellationToken;
        }
        else if (requests.All(r => r.CancellationToken.CanBeCanceled))
        {
            _allCancelled = new CancellationTokenSource();
            _live = requests.Length;
            CancellationToken = _allCancelled.Token;
        }
    }

    public IModelInstance Instance { get; }

    public PendingRequest[] Requests { get; }

    public InferenceRequest[] Inputs { get; }

    public int Rows { get; }

    public DispatchReason Reason { get; }

    /// <summary>How long the batch computed, in timestamp ticks, once it ran without error; -1 otherwise.</summary>
    public long ComputeTicks { get; set; } = -1;

    public CancellationToken CancellationToken { get; }

    /// <summary>One of the batch's requests was cancelled while running.</summary>
    public void RequestCancelled()
    {
        if (_allCancelled is not null && Interlocked.Decrement(ref _live) == 0)
        {
            try
            {
                _allCancelled.Cancel();
            }
            catch (AggregateException)
            {
                // A backend's cancellation callback failed; the batch then simply runs to its end.
            }
        }
    }
}
