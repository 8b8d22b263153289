namespace Augur.OnnxRuntime.Backend;

/// <summary>
/// Session settings for every ONNX Runtime model. A model's config.json may override the thread counts
/// with the parameters <c>intra_op_threads</c> and <c>inter_op_threads</c>, and any of these in its
/// <c>backend_settings.onnxruntime</c> section. The global pools' sizes and spinning are the process's: the first engine
/// that loads a model creates ONNX Runtime's environment with them (<see cref="GlobalThreadPool"/>).
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

    /// <summary>
    /// Whether identical initializers of different models (same type, shape and bytes) are held once and given to every
    /// session that uses them, with their pre-packed copies shared too. Default true. A model's config.json may override
    /// it (<c>backend_settings.onnxruntime.share_weights</c>). See design note 0012.
    /// </summary>
    public bool ShareWeights { get; set; } = true;

    /// <summary>
    /// Whether a pipeline (pipeline.json) is compiled into one ONNX Runtime graph, so that it runs as one session with no
    /// copy between steps. Default true. A pipeline that cannot be fused runs step by step, and its load log says why; a
    /// model's config.json may override it (<c>backend_settings.pipeline.fuse</c>). See design note 0014.
    /// </summary>
    public bool FusePipelines { get; set; } = true;

    /// <summary>
    /// Whether models that begin with the same computation share it: pipelines that begin with the same featurizers
    /// (same kind and settings, on the same kind of input; design note 0016), and plain models whose graphs begin with
    /// the same operators on the same inputs and weights (a frozen encoder under heads of their own; design note 0018).
    /// Each such prefix runs once for the batches of every model waiting on it, instead of once per model. Default true.
    /// A pipeline with a shared prefix runs its other steps step by step rather than fused; a model's config.json may
    /// override it (<c>backend_settings.pipeline.share_subplans</c>, <c>backend_settings.onnxruntime.share_subplans</c>).
    /// </summary>
    public bool ShareSubPlans { get; set; } = true;

    /// <summary>
    /// Whether a pipeline's ONNX step that is a linear head (MatMul, optionally Add and Sigmoid) fed by featurizers runs
    /// in C# over their sparse rows (the nonzero buckets of a text, say) instead of a dense row in an ONNX Runtime session.
    /// Default true; applies to pipelines run step by step (a shared prefix, or fusion off). A model's config.json may
    /// override it (<c>backend_settings.pipeline.sparse_heads</c>). See design note 0017.
    /// </summary>
    public bool SparseHeads { get; set; } = true;

    /// <summary>
    /// Whether sessions run on the process's global ONNX Runtime thread pools (<see cref="GlobalIntraOpThreads"/>) instead
    /// of pools of their own, so that a thousand models do not mean a thousand thread pools. Default true. A model whose
    /// config.json sets <c>intra_op_threads</c> or <c>inter_op_threads</c> keeps pools of its own, and a model's
    /// <c>backend_settings.onnxruntime.global_thread_pool</c> overrides this. <see cref="IntraOpThreads"/> and
    /// <see cref="InterOpThreads"/> size the pools of sessions that have their own. See design note 0015.
    /// </summary>
    public bool GlobalThreadPool { get; set; } = true;

    /// <summary>
    /// Whether sessions allocate from one CPU arena registered on the process's ONNX Runtime environment instead of an
    /// arena each. Default true. The shared arena keeps what it grew to for the life of the process (design note 0015); a
    /// model's <c>backend_settings.onnxruntime.shared_arena</c> overrides this.
    /// </summary>
    public bool SharedArena { get; set; } = true;

    /// <summary>
    /// Threads of the global intra-op pool, the calling thread included (ONNX Runtime starts one fewer). Default 0: one per
    /// processor this process may use (<see cref="Environment.ProcessorCount"/>). Read once per process, by the first
    /// engine that loads an ONNX Runtime model; see <see cref="GlobalThreadPool"/>.
    /// </summary>
    public int GlobalIntraOpThreads { get; set; }

    /// <summary>Threads of the global inter-op pool, used by sessions that run operators in parallel. Default 1.</summary>
    public int GlobalInterOpThreads { get; set; } = 1;

    /// <summary>
    /// Whether the global pools' threads spin for a while after their queue empties, waiting for the next task, instead of
    /// sleeping at once. Default false: with every model sharing one pool on a machine that also runs the requests' own
    /// threads, a spinning pool takes CPU time the requests need (docs/benchmarks/shared-runtime.sh measures both).
    /// </summary>
    public bool GlobalThreadPoolSpinning { get; set; }

    /// <summary>
    /// The smallest initializer, in bytes, that is shared; smaller ones stay in their sessions. Default 16384 (16 KiB):
    /// biases, norms and shape constants save little, and each shared one costs a hash, an allocation and a native value.
    /// </summary>
    public long SharedWeightMinimumBytes { get; set; } = Sharing.SharedInitializerStore.DefaultMinimumBytes;

    /// <summary>
    /// The fewest bytes of weights a graph prefix that plain models have in common must hold to be shared (design note
    /// 0018). Default 1 MiB: a smaller prefix computes too little to pay for a second session run per batch.
    /// </summary>
    public long SharedPrefixMinimumBytes { get; set; } = Sharing.Prefixes.SharedPrefixes.DefaultMinimumWeightBytes;

    /// <summary>
    /// Checks the thread counts (1 to 256; ONNX Runtime would read 0 as "every core"; the global intra-op pool's 0 is one per
    /// processor) the sharing minimum (at least 1) and the prefix minimum (0 or more).
    /// </summary>
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

        if (GlobalIntraOpThreads is < 0 or > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(GlobalIntraOpThreads), GlobalIntraOpThreads, "must be from 0 (one per processor) to 256");
        }

        if (GlobalInterOpThreads is < 1 or > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(GlobalInterOpThreads), GlobalInterOpThreads, "must be from 1 to 256");
        }

        if (SharedWeightMinimumBytes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(SharedWeightMinimumBytes), SharedWeightMinimumBytes, "must be at least 1 byte");
        }

        if (SharedPrefixMinimumBytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(SharedPrefixMinimumBytes), SharedPrefixMinimumBytes, "must be 0 or more bytes");
        }
    }
}
