using System.Threading.Channels;
using Augur.Models;
using Augur.Testing.Fakes;
using static Augur.Core.Tests.Engine.EngineHarness;

namespace Augur.Core.Tests.Scheduling;

/// <summary>
/// An echo model whose every execution announces itself (<see cref="NextStartAsync"/>) and then waits until the test
/// releases it, or until its cancellation token fires. With it a test knows exactly which batch holds the instance.
/// </summary>
internal sealed class HeldModel(ModelSignature signature, Action<FakeCall>? afterRelease = null)
{
    private readonly Channel<FakeCall> _started = Channel.CreateUnbounded<FakeCall>();
    private readonly Dictionary<int, TaskCompletionSource> _releases = [];
    private bool _open;

    public HeldModel()
        : this(EchoSignature)
    {
    }

    public FakeModelSpec Spec => FakeModelSpec.Custom(signature, async call =>
    {
        var release = ReleaseOf(call.Sequence);
        _started.Writer.TryWrite(call);
        await release.Task.WaitAsync(TestTimeout, call.CancellationToken);
        afterRelease?.Invoke(call);
        return FakeModelSpec.Echo(call.Batch, signature);
    });

    /// <summary>The next execution to start, in start order.</summary>
    public Task<FakeCall> NextStartAsync() => _started.Reader.ReadAsync().AsTask().WaitAsync(TestTimeout);

    public void Release(FakeCall call) => ReleaseOf(call.Sequence).TrySetResult();

    /// <summary>Lets every execution, current and future, run to the end.</summary>
    public void ReleaseAll()
    {
        lock (_releases)
        {
            _open = true;
            foreach (var release in _releases.Values)
            {
                release.TrySetResult();
            }
        }
    }

    private TaskCompletionSource ReleaseOf(int sequence)
    {
        lock (_releases)
        {
            if (!_releases.TryGetValue(sequence, out var release))
            {
                _releases[sequence] = release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            if (_open)
            {
                release.TrySetResult();
            }

            return release;
        }
    }
}
