using System.Collections.Concurrent;

namespace Augur.Scheduling;

/// <summary>
/// A thread of one instance's own, on which its batches run back to back once its runs are known to block for long
/// (design note 0002, "Where a batch runs"). A run that blocks a thread-pool thread for milliseconds holds up the
/// continuations of every request behind it (reading bodies, writing answers); here it holds up only this thread, and a
/// batch that finishes starts the instance's next one with no hop. An instance runs one batch at a time, so at most one
/// batch is ever posted and not yet taken.
/// </summary>
internal sealed class ComputeThread : IDisposable
{
    private readonly ConcurrentQueue<RunningBatch> _batches = new();
    private readonly SemaphoreSlim _posted = new(0);
    private readonly Action<RunningBatch> _run;
    private volatile bool _stopping;

    public ComputeThread(string name, Action<RunningBatch> run)
    {
        _run = run;
        var thread = new Thread(Loop) { IsBackground = true, Name = name };
        thread.Start();
    }

    /// <summary>Hands the thread a batch to run next.</summary>
    public void Post(RunningBatch batch)
    {
        _batches.Enqueue(batch);
        _posted.Release();
    }

    private void Loop()
    {
        while (true)
        {
            _posted.Wait();
            if (_batches.TryDequeue(out var batch))
            {
                _run(batch);
            }
            else if (_stopping)
            {
                _posted.Dispose();
                return;
            }
        }
    }

    /// <summary>Ends the thread once the batch it holds (if any) has run.</summary>
    public void Dispose()
    {
        _stopping = true;
        _posted.Release();
    }
}
