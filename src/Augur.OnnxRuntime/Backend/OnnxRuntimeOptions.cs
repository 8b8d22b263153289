namespace Augur.OnnxRuntime.Backend;

/// <summary>
/// Session settings for every ONNX Runtime model. A model's config.json may override the thread counts
/// with the parameters <c>intra_op_threads</c> and <c>inter_op_threads</c>.
/// </summary>
public sealed class OnnxRuntimeOptions
{
    /// <summary>
    /// Threads one instance uses inside an operator. Default 1: on small machines, parallelism comes
    /// from concurrent requests and instances, and more threads per run only contend with them.
    /// </summary>
    public int IntraOpThreads { get; set; } = 1;

    /// <summary>Threads one instance uses to run independent operators in parallel. Default 1.</summary>
    public int InterOpThreads { get; set; } = 1;

    /// <summary>Whether ONNX Runtime applies all graph optimisations (fusion, constant folding). Default true.</summary>
    public bool OptimizeGraph { get; set; } = true;

    /// <summary>Checks the thread counts (1 to 256; ONNX Runtime would read 0 as "every core").</summary>
    public void Validate()
    {
        if (IntraOpThreads is < 1 or > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(IntraOpThreads), IntraOpThreads, "must be from 1 to 256");
        }

        if (InterOpThreads is < 1 or > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(InterOpThreads), InterOpThreads, "must be from 1 to 256");
        }
    }
}
