namespace Augur.Inference;

/// <summary>
/// Where a request's time went, as Triton reports it: waiting in the queue, then the backend copying
/// inputs in, running the model, and copying outputs out. Compute times are those of the whole batch
/// the request ran in.
/// </summary>
/// <param name="Queue">From arrival at the engine to the start of execution.</param>
/// <param name="ComputeInput">Preparing the backend's input tensors.</param>
/// <param name="ComputeInfer">Running the model.</param>
/// <param name="ComputeOutput">Copying the outputs out of the backend.</param>
public readonly record struct InferenceTimings(TimeSpan Queue, TimeSpan ComputeInput, TimeSpan ComputeInfer, TimeSpan ComputeOutput)
{
    /// <summary>The sum of the parts.</summary>
    public TimeSpan Total => Queue + ComputeInput + ComputeInfer + ComputeOutput;
}
