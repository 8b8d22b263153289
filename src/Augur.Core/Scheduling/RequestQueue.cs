namespace Augur.Scheduling;

/// <summary>
/// The requests waiting for a model version: one FIFO list per priority level, level 0 first. Not thread-safe;
/// the batcher holds its lock. Removal is O(1) so cancelled and timed-out requests leave at once and the
/// queue bound counts exactly the requests still waiting.
/// </summary>
internal sealed class RequestQueue
{
    private readonly LinkedList<PendingRequest>[] _levels;

    public RequestQueue(int levels)
    {
        _levels = new LinkedList<PendingRequest>[levels];
        for (var i = 0; i < levels; i++)
        {
            _levels[i] = new LinkedList<PendingRequest>();
        }
    }

    public int Count { get; private set; }

    /// <summary>The samples of every queued request.</summary>
    public long Rows { get; private set; }

    public int LevelCount => _levels.Length;

    /// <summary>The requests of one level, oldest first.</summary>
    public LinkedList<PendingRequest> Level(int level) => _levels[level];

    public void Add(PendingRequest request)
    {
        request.Node = _levels[request.Level].AddLast(request);
        Count++;
        Rows += request.Rows;
    }

    public void Remove(PendingRequest request)
    {
        if (request.Node is { } node)
        {
            _levels[request.Level].Remove(node);
            request.Node = null;
            Count--;
            Rows -= request.Rows;
        }
    }

    /// <summary>Removes and returns every queued request.</summary>
    public List<PendingRequest> Drain()
    {
        var all = _levels.SelectMany(level => level).ToList();
        foreach (var request in all)
        {
            Remove(request);
        }

        return all;
    }
}
