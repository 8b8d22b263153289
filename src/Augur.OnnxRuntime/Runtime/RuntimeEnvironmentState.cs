namespace Augur.OnnxRuntime.Runtime;

/// <summary>
/// What the process's ONNX Runtime environment offers sessions: global thread pools (of these sizes) and a CPU arena
/// registered on it. <paramref name="CreatedByAugur"/> is false when something else created the environment first.
/// </summary>
internal sealed record RuntimeEnvironmentState(
    bool CreatedByAugur,
    bool GlobalThreadPool,
    int IntraOpThreads,
    int InterOpThreads,
    bool Spinning,
    bool SharedArena,
    string? ArenaProblem)
{
    /// <summary>The pool, for logs: "2 intra-op and 1 inter-op thread(s), spinning off", or why there is none.</summary>
    public string DescribeThreadPool() => GlobalThreadPool
        ? $"{IntraOpThreads} intra-op and {InterOpThreads} inter-op thread(s), spinning {(Spinning ? "on" : "off")}"
        : "none: the environment was created before Augur's, without global thread pools Augur knows of";

    /// <summary>The arena, for logs.</summary>
    public string DescribeArena() => SharedArena
        ? "one CPU arena shared by the sessions that ask for it (it keeps what it grows to until the process ends)"
        : $"no shared CPU arena: {ArenaProblem}";
}
