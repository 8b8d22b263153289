using Augur.OnnxRuntime.Backend;

namespace Augur.OnnxRuntime.Runtime;

/// <summary>
/// Decides whether a model's sessions use the environment's global thread pools and shared CPU arena: each where the
/// model's switch asks for it and the environment has it; the global pools also not for a model whose config.json sets
/// its thread counts (it asked for pools of that size, which the shared ones are not).
/// </summary>
internal static class SessionPlacement
{
    /// <summary>The settings as they will apply, with the choices for logs: "global (2 intra-op ...)" or "own (... : why)", "shared" or "own (why)".</summary>
    public static SessionSettings Place(SessionSettings wanted, RuntimeEnvironmentState environment, out string threadPool, out string arena)
    {
        var ownThreads = $"own ({wanted.IntraOpThreads} intra-op, {wanted.InterOpThreads} inter-op thread(s)";
        (var global, threadPool) = (wanted.GlobalThreadPool, wanted.ThreadsSetByModel, environment.GlobalThreadPool) switch
        {
            (false, _, _) => (false, $"{ownThreads}: global_thread_pool is false in config.json or by --global-thread-pool)"),
            (true, true, _) => (false, $"{ownThreads}: its config.json sets intra_op_threads or inter_op_threads)"),
            (true, false, false) => (false, $"{ownThreads}: the ONNX Runtime environment has no global thread pools)"),
            (true, false, true) => (true, $"global ({environment.DescribeThreadPool()})"),
        };
        (var shared, arena) = (wanted.SharedArena, environment.SharedArena) switch
        {
            (false, _) => (false, "own (shared_arena is false in config.json or by --shared-arena)"),
            (true, false) => (false, $"own (the environment has no shared arena: {environment.ArenaProblem})"),
            (true, true) => (true, "shared"),
        };
        return wanted with { GlobalThreadPool = global, SharedArena = shared };
    }
}
