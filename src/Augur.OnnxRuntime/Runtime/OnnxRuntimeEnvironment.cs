using Augur.OnnxRuntime.Backend;
using Augur.OnnxRuntime.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace Augur.OnnxRuntime.Runtime;

/// <summary>
/// The process's one ONNX Runtime environment (<see cref="OrtEnv"/>), created once with global intra-op and inter-op thread
/// pools and one registered CPU arena, which sessions may use instead of their own (design note 0015).
/// </summary>
/// <remarks>
/// Static because ONNX Runtime's environment is: one per process, created by the first use of any ONNX Runtime type, and
/// never again. The first backend that loads a model creates it with its options; a later backend whose pool options
/// differ is told (logged) that they cannot apply. When something else created the environment first (the host, a
/// library, a test that opened a session directly), its thread pools cannot be known, so sessions keep their own; the
/// arena is registered on it all the same.
/// </remarks>
internal static class OnnxRuntimeEnvironment
{
    private static readonly Lock Gate = new();
    private static RuntimeEnvironmentState? _state;

    /// <summary>The environment, created now with <paramref name="options"/> if it does not exist; never throws for options it cannot apply.</summary>
    public static RuntimeEnvironmentState Ensure(OnnxRuntimeOptions options, ILogger logger)
    {
        lock (Gate)
        {
            if (_state is { } existing)
            {
                if (existing.CreatedByAugur && Wanted(options) is var wanted && wanted != (existing.IntraOpThreads, existing.InterOpThreads, existing.Spinning))
                {
                    OnnxRuntimeLog.EnvironmentOptionsIgnored(logger, wanted.IntraOp, wanted.InterOp, wanted.Spinning ? "on" : "off", existing.DescribeThreadPool());
                }

                return existing;
            }

            _state = OrtEnv.IsCreated ? Adopt(logger) : Create(options, logger);
            return _state;
        }
    }

    private static (int IntraOp, int InterOp, bool Spinning) Wanted(OnnxRuntimeOptions options) =>
        (options.GlobalIntraOpThreads == 0 ? Environment.ProcessorCount : options.GlobalIntraOpThreads, options.GlobalInterOpThreads, options.GlobalThreadPoolSpinning);

    private static RuntimeEnvironmentState Create(OnnxRuntimeOptions options, ILogger logger)
    {
        var (intraOp, interOp, spinning) = Wanted(options);
        OrtEnv environment;
        using (var threading = new OrtThreadingOptions { GlobalIntraOpNumThreads = intraOp, GlobalInterOpNumThreads = interOp, GlobalSpinControl = spinning })
        {
            var creation = new EnvironmentCreationOptions { logId = "Augur", logLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING, threadOptions = threading };
            try
            {
                environment = OrtEnv.CreateInstanceWithOptions(ref creation);
            }
            catch (OnnxRuntimeException)
            {
                // Created by another thread between the check and this call: the same as finding it created.
                return Adopt(logger);
            }
        }

        var (arena, problem) = RegisterArena(environment);
        var state = new RuntimeEnvironmentState(CreatedByAugur: true, GlobalThreadPool: true, intraOp, interOp, spinning, arena, problem);
        OnnxRuntimeLog.EnvironmentCreated(logger, state.DescribeThreadPool(), state.DescribeArena());
        return state;
    }

    /// <summary>Takes the environment something else created: no global thread pools Augur knows of; the arena registered on it if ONNX Runtime lets it.</summary>
    internal static RuntimeEnvironmentState Adopt(ILogger logger)
    {
        var (arena, problem) = RegisterArena(OrtEnv.Instance());
        var state = new RuntimeEnvironmentState(CreatedByAugur: false, GlobalThreadPool: false, 0, 0, Spinning: false, arena, problem);
        OnnxRuntimeLog.EnvironmentAdopted(logger, state.DescribeArena());
        return state;
    }

    private static (bool Registered, string? Problem) RegisterArena(OrtEnv environment)
    {
        try
        {
            using var memory = new OrtMemoryInfo(OrtMemoryInfo.allocatorCPU, OrtAllocatorType.ArenaAllocator, 0, OrtMemType.Default);
            // ONNX Runtime's defaults (-1): no limit, growing by the next power of two, as each session's own arena does.
            using var arena = new OrtArenaCfg(0, -1, -1, -1);
            environment.CreateAndRegisterAllocator(memory, arena);
            return (true, null);
        }
        catch (OnnxRuntimeException ex)
        {
            return (false, $"ONNX Runtime refused to register it: {ex.Message}");
        }
    }
}
