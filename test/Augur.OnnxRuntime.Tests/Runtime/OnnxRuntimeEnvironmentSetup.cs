using System.Runtime.CompilerServices;
using Augur.OnnxRuntime.Backend;
using Augur.OnnxRuntime.Runtime;
using Microsoft.Extensions.Logging.Abstractions;

namespace Augur.OnnxRuntime.Tests.Runtime;

/// <summary>
/// Creates this test process's ONNX Runtime environment as Augur does, before any test runs. Without it, whichever test
/// first touched an ONNX Runtime type (many open sessions directly) would decide whether the environment has global
/// thread pools, and the tests of the shared runtime would depend on the order tests run in.
/// </summary>
internal static class OnnxRuntimeEnvironmentSetup
{
#pragma warning disable CA2255 // A test assembly's own start-up: the point is to run before any test code.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void CreateEnvironment() => State = OnnxRuntimeEnvironment.Ensure(new OnnxRuntimeOptions(), NullLogger.Instance);

    /// <summary>The environment as this process created it: global pools of one thread per processor, the arena registered.</summary>
    public static RuntimeEnvironmentState State { get; private set; } = null!;
}
