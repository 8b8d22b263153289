using Augur.Testing.Fakes;
using Microsoft.Extensions.Time.Testing;
using static Augur.Core.Tests.Engine.EngineHarness;

namespace Augur.Core.Tests.Budget;

/// <summary>Fake models that report their memory, for engines under a memory budget on a fake clock (see <see cref="BudgetTestBase"/>).</summary>
internal static class BudgetHarness
{
    /// <summary>What each test model reports holding, unless the test says otherwise.</summary>
    public const long ModelBytes = 100;

    /// <summary>An echo model whose requests with id "held" wait at <paramref name="gate"/> once they run.</summary>
    public static FakeModelSpec Gated(Gate gate, long bytes = ModelBytes) => FakeModelSpec.Custom(EchoSignature, async call =>
    {
        if (call.Batch.Any(r => r.Id == "held"))
        {
            gate.Entered.TrySetResult();
            await gate.Open.Task.WaitAsync(TestTimeout);
        }

        return FakeModelSpec.Echo(call.Batch, call.Model.Signature);
    }) with { MemoryBytes = bytes };

    /// <summary>Runs a request on <paramref name="model"/> and checks that it succeeded, then moves the clock on, so each use has its own time.</summary>
    public static async Task Use(this InferenceEngine engine, FakeTimeProvider time, string model)
    {
        await engine.InferOk(EchoRequest(model));
        time.Advance(TimeSpan.FromMilliseconds(1));
    }

    /// <summary>Where a request is held while it runs: it signals <see cref="Entered"/> and waits for <see cref="Open"/>.</summary>
    internal sealed class Gate
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Open { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
