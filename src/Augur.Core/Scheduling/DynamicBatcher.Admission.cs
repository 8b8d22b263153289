using Augur.Errors;

namespace Augur.Scheduling;

/// <summary>
/// Admission under overload: a request whose queue wait, predicted from the learned cost curve, would pass its timeout
/// is refused at once instead of queueing until it expires. It gets a 503 with <c>Retry-After</c> (the predicted wait, rounded up to whole seconds)
/// rather than a 504 a whole timeout later, and the requests admitted stay within their deadlines.
/// </summary>
internal sealed partial class DynamicBatcher
{
    /// <summary>Batches the cost curve must have seen before it predicts waits; a cold model admits everything.</summary>
    public const int BatchesBeforeAdmission = 16;

    /// <summary>The refusal of <paramref name="pending"/>, or null to admit it. Under the lock.</summary>
    private InferenceError? Overloaded(PendingRequest pending, long now)
    {
        if (pending.TimeoutAt == long.MaxValue || _cost.Batches < BatchesBeforeAdmission)
        {
            return null;
        }

        var wait = PredictedWait(pending.Rows);
        if (wait <= 0 || now + wait <= pending.TimeoutAt)
        {
            return null;
        }

        var predicted = _time.Between(0, wait);
        return SchedulerErrors.Overloaded(_model, predicted, _time.Between(pending.Arrival, pending.TimeoutAt));
    }

    /// <summary>
    /// How long a request of <paramref name="rows"/> samples would wait in the queue, in ticks: the batches queued ahead
    /// of it (at the current batch size limit) shared over the instances, each taking what a batch of that size costs;
    /// 0 when an instance can take it now. Under the lock.
    /// </summary>
    private long PredictedWait(int rows)
    {
        var ahead = _queue.Rows + rows;
        var limit = Math.Max(1, _policy.Batches ? _policy.RowLimit : 1);
        var batches = (ahead + limit - 1) / limit;
        var waiting = batches - _idle.Count;
        if (waiting <= 0)
        {
            return 0;
        }

        var rounds = (waiting + _instances.Count - 1) / _instances.Count;
        return rounds * _cost.Predict((int)Math.Min(ahead, limit));
    }
}
