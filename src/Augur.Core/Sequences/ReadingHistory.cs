namespace Augur.Sequences;

/// <summary>
/// The last readings of one client input of one sequence, with the engine timestamp each arrived at: a ring of fixed
/// capacity, oldest dropped first. Only the step whose turn it is touches it.
/// </summary>
internal sealed class ReadingHistory(int capacity, int elements)
{
    private readonly float[] _values = new float[capacity * elements];
    private readonly long[] _times = new long[capacity];
    private int _next;

    /// <summary>How many readings are kept.</summary>
    public int Count { get; private set; }

    /// <summary>Values per reading.</summary>
    public int Elements => elements;

    /// <summary>Adds a reading, dropping the oldest when full.</summary>
    public void Add(ReadOnlySpan<float> reading, long timestamp)
    {
        reading.CopyTo(_values.AsSpan(_next * elements, elements));
        _times[_next] = timestamp;
        _next = (_next + 1) % capacity;
        Count = Math.Min(Count + 1, capacity);
    }

    /// <summary>The reading <paramref name="age"/> steps back (0 = the newest kept).</summary>
    public ReadOnlySpan<float> Back(int age) => _values.AsSpan(Index(age) * elements, elements);

    /// <summary>When the reading <paramref name="age"/> steps back arrived.</summary>
    public long TimeBack(int age) => _times[Index(age)];

    public void Clear()
    {
        Count = 0;
        _next = 0;
    }

    private int Index(int age) => ((_next - 1 - age) % capacity + capacity) % capacity;
}
