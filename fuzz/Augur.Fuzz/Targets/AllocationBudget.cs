namespace Augur.Fuzz.Targets;

/// <summary>
/// Bounds what decoding one input may allocate, relative to the input's size: a request that claims 2^31 elements
/// but carries ten must be refused before anything that big is allocated. The factor covers the honest worst case
/// (a JSON document's index plus the decoded tensor, e.g. 8-byte INT64 elements from 2-byte "0," items) with room
/// to spare; the fixed part covers error messages and first-call initialisation.
/// </summary>
internal readonly struct AllocationBudget
{
    private const long BytesPerInputByte = 64;
    private const long FixedBytes = 4 << 20;

    private readonly long _start;
    private readonly long _limit;

    private AllocationBudget(long start, long limit)
    {
        _start = start;
        _limit = limit;
    }

    public static AllocationBudget Start(int inputLength) =>
        new(GC.GetAllocatedBytesForCurrentThread(), FixedBytes + (BytesPerInputByte * inputLength));

    /// <summary>Throws when the current thread allocated more than the budget since <see cref="Start"/>.</summary>
    public void Check(string what)
    {
        var used = GC.GetAllocatedBytesForCurrentThread() - _start;
        if (used > _limit)
        {
            throw new PropertyViolation($"{what} allocated {used} bytes, more than the budget of {_limit} bytes for this input");
        }
    }
}
